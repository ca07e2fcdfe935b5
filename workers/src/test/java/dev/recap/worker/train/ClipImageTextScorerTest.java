package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.RgbImage;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import dev.recap.worker.caption.ClipImageTextScorer;
import dev.recap.worker.data.Augmentation;
import dev.recap.worker.exchange.Collective;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP scorer rebuilt from a pretrain run's artifacts (run.json, tokenizer/, clip.params,
 * written here the way the pretrain task writes them) on the test fixtures: a conv image tower and
 * a bag-of-words text tower trained 200 steps on 8 learnable classes of 16 px images.
 */
class ClipImageTextScorerTest {

  static final int SIZE = TinyClip.SIZE;
  static final int STEPS = 200;
  static final int BATCH = 16;
  private static final int[][] COLOURS = {{230, 25, 25}, {25, 230, 25}, {25, 25, 230}, {230, 230, 25}};

  @TempDir static Path runDir;

  static final ClipRunSpec SPEC = new ClipRunSpec("clip", "test-conv", Map.of("channels", 8), SavableBagTextEncoder.ID,
      Map.of("width", 32, "context", 8), 16, SIZE, BATCH, 1, 0, 1e-2, 2, 1.0, 0.75, 128, 1);

  static Extensions extensions() {
    return Extensions.of(new ConvImageEncoderFixture(), new SavableBagTextEncoder());
  }

  /** A 16 px image of class {@code cls}: a coloured square (4 colours) on the left or right of grey noise. */
  static RgbImage image(int cls, Random random) {
    byte[] rgb = new byte[SIZE * SIZE * 3];
    int x0 = cls / 4 == 0 ? 1 : SIZE / 2 + 1;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        boolean inside = y >= 4 && y < 10 && x >= x0 && x < x0 + 6;
        for (int c = 0; c < 3; c++) {
          int v = (inside ? COLOURS[cls % 4][c] : 128) + (int) Math.round(20 * random.nextGaussian());
          rgb[(y * SIZE + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return new RgbImage(SIZE, SIZE, rgb);
  }

  /** The loader's evaluation preprocessing, written out: at 16 px the resize is the identity. */
  static float[] normalized(List<RgbImage> images) {
    float[] out = new float[images.size() * 3 * SIZE * SIZE];
    for (int i = 0; i < images.size(); i++) {
      byte[] rgb = images.get(i).rgb();
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < SIZE * SIZE; p++) {
          out[(i * 3 + c) * SIZE * SIZE + p] = ((rgb[p * 3 + c] & 0xFF) / 255f - Augmentation.CLIP_MEAN[c]) / Augmentation.CLIP_STD[c];
        }
      }
    }
    return out;
  }

  /** Trains the tiny CLIP and writes the artifacts of a clip pretrain task into {@link #runDir}. */
  @BeforeAll
  static void trainAndSaveARun() throws Exception {
    ClipRunFactory factory = new ClipRunFactory(SPEC, extensions());
    TextTokenizer tokenizer = factory.tokenizer(TinyClip.corpus());
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = factory.clipModel(manager, tokenizer, 3);
      ClipTrainer trainer = new ClipTrainer(model, manager, TinyClip.options(1e-2, STEPS), Collective.single());
      Random random = new Random(11);
      double last = Double.NaN;
      for (int s = 0; s < STEPS; s++) {
        List<RgbImage> images = new ArrayList<>();
        long[][] tokens = new long[BATCH][];
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
          int cls = i % TinyClip.CLASSES;
          images.add(image(cls, random));
          tokens[i] = tokenizer.encode(TinyClip.caption(cls));
          keys.add(s + "/" + i);
        }
        last = trainer.step(new ClipBatch(normalized(images), SIZE, SIZE, tokens, keys)).loss();
      }
      System.out.printf("tiny CLIP after %d steps: loss %.4f (ln B = %.4f)%n", STEPS, last, Math.log(BATCH));
      try (OutputStream out = Files.newOutputStream(runDir.resolve(ClipImageTextScorer.PARAMETERS))) {
        model.saveParameters(new DataOutputStream(out));
      }
    }
    tokenizer.save(runDir.resolve(ClipImageTextScorer.TOKENIZER));
    Files.writeString(runDir.resolve(ClipImageTextScorer.RUN_SPEC), SPEC.toJson());
  }

  /** Held-out pairs: 8 per class, drawn with a seed the training never used. */
  static List<RgbImage> heldOutImages(List<Integer> classes) {
    Random random = new Random(99);
    List<RgbImage> out = new ArrayList<>();
    classes.forEach(c -> out.add(image(c, random)));
    return out;
  }

  @Test
  void scoresAreTheCosineOfTheModelsOwnEmbeddingsInEveryBatch() throws Exception {
    List<Integer> classes = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    Random random = new Random(5);
    for (int i = 0; i < 19; i++) {
      classes.add(i % TinyClip.CLASSES);
      captions.add(TinyClip.caption(random.nextInt(TinyClip.CLASSES)));
    }
    List<RgbImage> images = heldOutImages(classes);
    float[] scores;
    try (ClipImageTextScorer scorer = ClipImageTextScorer.load(runDir, extensions(), 5)) { // 19 pairs: 3 full batches and a partial one
      assertEquals(SIZE, scorer.imageSize());
      scores = scorer.score(images, captions);
    }
    assertEquals(19, scores.length);
    // independently: the same run rebuilt by hand, embeddings of all 19 at once, cosine in doubles
    ClipRunFactory factory = new ClipRunFactory(SPEC, extensions());
    TextTokenizer tokenizer = factory.textEncoder().loadTokenizer(runDir.resolve(ClipImageTextScorer.TOKENIZER));
    float[] img;
    float[] txt;
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = factory.clipModel(manager, tokenizer, 77);
      try (var in = new java.io.DataInputStream(Files.newInputStream(runDir.resolve(ClipImageTextScorer.PARAMETERS)))) {
        model.loadParameters(manager, in);
      }
      long[][] tokens = captions.stream().map(tokenizer::encode).toArray(long[][]::new);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.create(normalized(images), new Shape(19, 3, SIZE, SIZE));
      img = Autograd.withGradMode(false, () -> model.encodeImages(ps, x, false).toFloatArray());
      txt = Autograd.withGradMode(false, () -> model.encodeTexts(ps, manager.create(tokens), false).toFloatArray());
    }
    int e = img.length / 19;
    for (int i = 0; i < 19; i++) {
      double dot = 0;
      double ni = 0;
      double nt = 0;
      for (int k = 0; k < e; k++) {
        dot += (double) img[i * e + k] * txt[i * e + k];
        ni += (double) img[i * e + k] * img[i * e + k];
        nt += (double) txt[i * e + k] * txt[i * e + k];
      }
      double cosine = dot / Math.sqrt(ni * nt);
      assertTrue(scores[i] >= -1 - 1e-6 && scores[i] <= 1 + 1e-6, "score " + scores[i] + " is not a cosine");
      assertEquals(cosine, scores[i], 1e-5, "pair " + i);
    }
  }

  @Test
  void matchingPairsOutscoreShuffledPairs() throws Exception {
    List<Integer> classes = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      classes.add(i % TinyClip.CLASSES);
    }
    List<RgbImage> images = heldOutImages(classes);
    List<String> matching = new ArrayList<>();
    List<String> shuffled = new ArrayList<>();
    Random random = new Random(8);
    for (int c : classes) {
      matching.add(TinyClip.caption(c));
      shuffled.add(TinyClip.caption((c + 1 + random.nextInt(TinyClip.CLASSES - 1)) % TinyClip.CLASSES)); // always another class
    }
    float[] good;
    float[] bad;
    try (ClipImageTextScorer scorer = ClipImageTextScorer.load(runDir, extensions(), 32)) {
      good = scorer.score(images, matching);
      bad = scorer.score(images, shuffled);
    }
    double meanGood = mean(good);
    double meanBad = mean(bad);
    int wins = 0;
    for (int i = 0; i < good.length; i++) {
      wins += good[i] > bad[i] ? 1 : 0;
    }
    System.out.printf("CLIP score: matching %.4f, shuffled %.4f, matching higher in %d/%d pairs%n", meanGood, meanBad, wins, good.length);
    assertTrue(meanGood > meanBad + 0.2, "matching pairs " + meanGood + " vs shuffled " + meanBad);
    assertTrue(wins >= 0.9 * good.length, "matching caption scored higher for only " + wins + "/" + good.length + " images");
  }

  @Test
  void loadFailuresNameTheArtifact(@TempDir Path broken) throws Exception {
    IOException missing = assertThrows(IOException.class, () -> ClipImageTextScorer.load(broken, extensions(), 4));
    assertTrue(missing.getMessage().contains(broken.resolve("run.json").toString()), missing.getMessage());

    Files.writeString(broken.resolve("run.json"), SPEC.toJson().replace("\"clip\"", "\"mae\""));
    IllegalArgumentException mae = assertThrows(IllegalArgumentException.class, () -> ClipImageTextScorer.load(broken, extensions(), 4));
    assertTrue(mae.getMessage().contains("'objective'") && mae.getMessage().contains("mae"), mae.getMessage());

    Files.writeString(broken.resolve("run.json"), SPEC.toJson());
    copy(runDir.resolve("tokenizer"), broken.resolve("tokenizer"));
    IOException noParams = assertThrows(IOException.class, () -> ClipImageTextScorer.load(broken, extensions(), 4));
    assertTrue(noParams.getMessage().contains(broken.resolve("clip.params").toString()), noParams.getMessage());

    Files.write(broken.resolve("clip.params"), new byte[] {1, 2, 3});
    IOException garbled = assertThrows(IOException.class, () -> ClipImageTextScorer.load(broken, extensions(), 4));
    assertTrue(garbled.getMessage().contains("clip.params") && garbled.getMessage().contains("does not fit"), garbled.getMessage());

    Files.writeString(broken.resolve("run.json"), SPEC.toJson().replace("test-conv", "resnet"));
    IllegalArgumentException plugin = assertThrows(IllegalArgumentException.class,
        () -> ClipImageTextScorer.load(broken, extensions(), 4));
    assertTrue(plugin.getMessage().contains("'imageEncoder'") && plugin.getMessage().contains("resnet"), plugin.getMessage());
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** The bag-of-words fixture with a tokenizer that saves and loads (one vocabulary word per line). */
  static final class SavableBagTextEncoder implements TextEncoder {
    static final String ID = "test-bag-savable";
    private final BagTextEncoderFixture bag = new BagTextEncoderFixture();

    @Override
    public String id() {
      return ID;
    }

    @Override
    public TextTokenizer tokenizer(PluginConfig config, Iterable<String> corpus) {
      return new Savable((BagTextEncoderFixture.Words) bag.tokenizer(config, corpus));
    }

    @Override
    public TextTokenizer loadTokenizer(Path directory) throws IOException {
      List<String> lines = Files.readAllLines(directory.resolve("vocabulary.txt"), StandardCharsets.UTF_8);
      Map<String, Integer> vocab = new LinkedHashMap<>();
      for (String w : lines.subList(1, lines.size())) {
        vocab.put(w, vocab.size());
      }
      return new Savable(new BagTextEncoderFixture.Words(vocab, Integer.parseInt(lines.get(0))));
    }

    @Override
    public TextTower build(PluginConfig config, TextTokenizer tokenizer) {
      return bag.build(config, tokenizer);
    }

    record Savable(BagTextEncoderFixture.Words words) implements TextTokenizer {
      public int vocabSize() { return words.vocabSize(); }
      public int contextLength() { return words.contextLength(); }
      public long[] encode(String text) { return words.encode(text); }
      public String decode(long[] ids) { return words.decode(ids); }
      public long endOfText() { return words.endOfText(); }
      public long startOfText() { return words.startOfText(); }
      public long padding() { return words.padding(); }

      public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        List<String> lines = new ArrayList<>(List.of(Integer.toString(words.contextLength())));
        lines.addAll(words.vocab().keySet());
        Files.write(directory.resolve("vocabulary.txt"), lines, StandardCharsets.UTF_8);
      }
    }
  }
}
