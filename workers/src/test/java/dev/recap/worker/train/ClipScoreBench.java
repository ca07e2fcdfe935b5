package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.RgbImage;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.caption.ClipImageTextScorer;
import dev.recap.worker.exchange.Collective;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CLIP-score throughput of {@link ClipImageTextScorer} (pairs/s, the curate stage's scoring cost
 * per worker) beside two same-run references: an fp32 1024^3 matmul and one CLIP training step's
 * images/s on the same model and size.
 *
 * <p>System properties: {@code size} (64), {@code pairs} (512), {@code batch} (64, scorer batch),
 * {@code trainBatch} (64), {@code image} / {@code text} (extension class names; default the test
 * fixtures), {@code imageConfig} / {@code textConfig} ("k=v,k=v"), {@code embedDim} (128).
 */
public final class ClipScoreBench {

  public static void main(String[] args) throws Exception {
    int size = Integer.getInteger("size", 64);
    int pairs = Integer.getInteger("pairs", 512);
    int batch = Integer.getInteger("batch", 64);
    int trainBatch = Integer.getInteger("trainBatch", 64);
    int embedDim = Integer.getInteger("embedDim", 128);
    ImageEncoder imageEncoder = (ImageEncoder) Class.forName(System.getProperty("image", ConvImageEncoderFixture.class.getName()))
        .getDeclaredConstructor().newInstance();
    TextEncoder textEncoder = (TextEncoder) Class.forName(System.getProperty("text", BagTextEncoderFixture.class.getName()))
        .getDeclaredConstructor().newInstance();
    PluginConfig imageConfig = imageEncoder.resolve(ClipTrainingBench.parse(System.getProperty("imageConfig", "channels=32")));
    PluginConfig textConfig = textEncoder.resolve(ClipTrainingBench.parse(System.getProperty("textConfig", "width=128,context=32")));

    Random random = new Random(1);
    String[] words = {"a", "red", "green", "blue", "small", "large", "circle", "square", "ring", "left", "right", "of", "the",
        "near", "far", "in", "front", "bar", "cross", "diamond"};
    List<RgbImage> images = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      byte[] rgb = new byte[size * size * 3];
      random.nextBytes(rgb);
      images.add(new RgbImage(size, size, rgb));
      StringBuilder c = new StringBuilder();
      for (int w = 0; w < 12; w++) {
        c.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
      }
      captions.add(c.toString());
    }
    TextTokenizer tokenizer = textEncoder.tokenizer(textConfig, captions);

    System.out.printf("machine: %d cores, java %s, torch threads intra=%s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("ai.djl.pytorch.num_threads", "default"));
    System.out.printf("image %s %s, text %s %s, %d px, %d pairs, scorer batch %d%n", imageEncoder.id(), imageConfig,
        textEncoder.id(), textConfig, size, pairs, batch);
    System.out.printf("reference fp32 matmul 1024^3: %.1f GFLOP/s%n", ClipTrainingBench.matmulGflops(1024, 5));
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model;
      synchronized (Engine.class) {
        Engine.getInstance().setRandomSeed(1);
        model = new ClipModel(imageEncoder.build(imageConfig), textEncoder.build(textConfig, tokenizer), embedDim);
        model.initialize(manager, size, size);
      }
      ClipImageTextScorer scorer = new ClipImageTextScorer(model, tokenizer, manager, size, batch);
      scorer.score(images.subList(0, Math.min(batch, pairs)), captions.subList(0, Math.min(batch, pairs))); // warm-up
      long t0 = System.nanoTime();
      float[] scores = scorer.score(images, captions);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double mean = 0;
      for (float s : scores) {
        mean += s / scores.length;
      }
      double scoring = pairs / seconds;
      System.out.printf("CLIP score: %d pairs in %.2f s = %.1f pairs/s (mean score %.4f)%n", pairs, seconds, scoring, mean);

      ClipTrainer trainer = new ClipTrainer(model, manager, TrainingOptions.clip(new CosineSchedule(1e-4, 0, 10, 0)),
          Collective.single());
      float[] pixels = new float[trainBatch * 3 * size * size];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) random.nextGaussian();
      }
      long[][] tokens = new long[trainBatch][];
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < trainBatch; i++) {
        tokens[i] = tokenizer.encode(captions.get(i % pairs));
        keys.add("k" + i);
      }
      ClipBatch b = new ClipBatch(pixels, size, size, tokens, keys);
      trainer.step(b); // warm-up
      long t1 = System.nanoTime();
      int steps = 2;
      for (int s = 0; s < steps; s++) {
        trainer.step(b);
      }
      double training = steps * trainBatch / ((System.nanoTime() - t1) / 1e9);
      System.out.printf("reference CLIP training, batch %d: %.1f images/s; scoring / training = %.1fx%n", trainBatch, training,
          scoring / training);
    }
    System.out.printf("reference fp32 matmul 1024^3 after the runs: %.1f GFLOP/s%n", ClipTrainingBench.matmulGflops(1024, 5));
  }
}
