package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.recap.api.Extensions;
import dev.recap.api.data.Sample;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.AugmentPolicy;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.WebDatasetReader;
import dev.recap.worker.exchange.Collective;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recap's side of the one-step check against the PyTorch twin ({@code src/test/python/clip_twin.py
 * --compare}): the same parameters, the same batch, then the loss, every tensor's gradient and the
 * parameters after a few AdamW steps, compared tensor by tensor. Not a unit test: run by hand
 * (docs/benchmarks.md, "CLIP against its PyTorch twin").
 *
 * <p>It builds the model and trainer as {@link ClipTwinBench} does ({@link ClipRunFactory}: vit-tiny
 * + text-tiny seeded with {@code seed}, {@link ClipTrainer}), takes the first batch of epoch 0 from
 * the run's loader without crop or flip (so every image is the whole 64 px image, CLIP-normalized),
 * and trains {@code steps} steps on that one batch at the constant rate {@code lr} (AdamW as the run
 * spec's defaults set it, float32 unless {@code precision} says otherwise). It writes into
 * {@code out}:
 *
 * <ul>
 *   <li>{@code init.safetensors}: the initial parameters under OpenCLIP's names ({@link ClipCheckpoint});
 *   <li>{@code batch.safetensors}: {@code pixels [B, 3, 64, 64]} as the trainer received them and
 *       {@code tokens [B, 32]} (ids as floats), plus {@code keys.txt} (the samples' keys, in order);
 *   <li>{@code grads-step-K.safetensors}: step K's gradient of every parameter as the trainer
 *       computed it (the flat vector it all-reduces, captured by a world-of-one collective), under
 *       the same names, for K = 1..steps;
 *   <li>{@code params-step-K.safetensors}: the parameters after step K;
 *   <li>{@code steps.json}: per step the loss, learning rate and logit scale; the tokenizer in
 *       {@code tokenizer/}.
 * </ul>
 *
 * <p>Properties: {@code out} (default {@code <tmpdir>/recap-twin-step}), {@code data} (a folder of
 * {@code train-*.tar} shards, written by {@link ClipTwinBench#writeShards} with {@code pairs} /
 * {@code shardSize} when absent; default {@code out/data}), {@code pairs} (256), {@code shardSize}
 * (256), {@code batch} (128), {@code seed} (1), {@code lr} (1e-3), {@code steps} (5),
 * {@code precision} (fp32 or bf16; fp32).
 */
public final class ClipTwinStepDump {

  private static final String VIT = "dev.recap.plugins.vit.VitEncoder";
  private static final String TEXT = "dev.recap.plugins.texttransformer.TextTransformerEncoder";

  private ClipTwinStepDump() {}

  /** A world of one that keeps a copy of every gradient vector the trainer sums. */
  static final class RecordingCollective implements Collective {
    final List<float[]> sums = new ArrayList<>();

    @Override
    public int rank() {
      return 0;
    }

    @Override
    public int worldSize() {
      return 1;
    }

    @Override
    public void allReduceSum(String tag, float[] data) {
      sums.add(data.clone());
    }

    @Override
    public float[][] allGather(String tag, float[] local) {
      return new float[][] {local};
    }
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(System.getProperty("out", System.getProperty("java.io.tmpdir") + "/recap-twin-step"));
    Path data = Path.of(System.getProperty("data", out.resolve("data").toString()));
    int pairs = Integer.getInteger("pairs", 256);
    int shardSize = Integer.getInteger("shardSize", 256);
    int batchSize = Integer.getInteger("batch", 128);
    long seed = Long.getLong("seed", 1L);
    double lr = Double.parseDouble(System.getProperty("lr", "1e-3"));
    int steps = Integer.getInteger("steps", 5);
    Precision precision = "bf16".equals(System.getProperty("precision", "fp32")) ? Precision.BF16_PRODUCTS : Precision.FP32;
    Files.createDirectories(out);

    List<Path> train = ClipTwinBench.writeShards(data, pairs, shardSize, 0);
    ClipRunSpec spec = new ClipRunSpec("clip", "vit", Map.of("preset", "vit-tiny"), "text-transformer",
        Map.of("preset", "text-tiny"), 128, 64, batchSize, 1, 0, lr, 0, 0, 0.75, 128, 1, new AugmentPolicy(1.0, false));
    ClipRunFactory factory = new ClipRunFactory(spec, Extensions.of(plugin(VIT), plugin(TEXT)));
    List<String> corpus = new ArrayList<>();
    for (Path shard : train) {
      for (Sample s : new WebDatasetReader(shard, new SkipReport(), false)) {
        corpus.add(s.captions().get(Sample.ALT));
      }
    }
    TextTokenizer tokenizer = factory.tokenizer(corpus);
    tokenizer.save(out.resolve("tokenizer"));

    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = factory.clipModel(manager, tokenizer, seed);
      ClipCheckpoint names = factory.checkpoint();
      names.write(model, out.resolve("init.safetensors"));

      ClipBatch batch;
      try (BatchLoader loader = factory.loader(train, null, seed, 0, 0, 1); NDManager scope = NDManager.newBaseManager();
          Batch b = loader.next(scope)) {
        batch = ClipRunFactory.clipBatch(b, tokenizer);
      }
      int n = batch.size();
      float[] tokens = new float[n * batch.tokens()[0].length];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < batch.tokens()[i].length; j++) {
          tokens[i * batch.tokens()[i].length + j] = batch.tokens()[i][j];
        }
      }
      Safetensors.write(out.resolve("batch.safetensors"), List.of(
          new Safetensors.Tensor("pixels", new long[] {n, 3, batch.height(), batch.width()}, batch.pixels()),
          new Safetensors.Tensor("tokens", new long[] {n, batch.tokens()[0].length}, tokens)), Map.of());
      Files.write(out.resolve("keys.txt"), batch.keys());

      // a constant rate: CosineSchedule with floor = peak and no warm-up
      TrainingOptions options = TrainingOptions.clip(new CosineSchedule(lr, 0, 1_000_000, lr)).withPrecision(precision);
      RecordingCollective recording = new RecordingCollective();
      ClipTrainer trainer = new ClipTrainer(model, manager, options, recording);
      Map<Parameter, String> nameOf = new IdentityHashMap<>();
      names.named(model).forEach((name, p) -> nameOf.put(p, name));
      JsonArray log = new JsonArray();
      for (int k = 1; k <= steps; k++) {
        StepResult r = trainer.step(batch);
        float[] flat = recording.sums.get(recording.sums.size() - 1);
        List<Safetensors.Tensor> grads = new ArrayList<>();
        AdamW opt = trainer.optimizer();
        for (int i = 0; i < opt.parameters().size(); i++) {
          Parameter p = opt.parameters().get(i);
          float[] g = new float[opt.offset(i + 1) - opt.offset(i)];
          System.arraycopy(flat, opt.offset(i), g, 0, g.length);
          grads.add(new Safetensors.Tensor(nameOf.get(p), p.getArray().getShape().getShape(), g));
        }
        Safetensors.write(out.resolve("grads-step-" + k + ".safetensors"), grads, Map.of());
        names.write(model, out.resolve("params-step-" + k + ".safetensors"));
        log.add(new JsonObject().put("step", k).put("loss", r.loss()).put("lr", r.learningRate())
            .put("logitScale", model.logitScale().getArray().getFloat()).put("skipped", r.skipped()));
        System.out.printf(Locale.ROOT, "recap step %d: loss %.6f, lr %s, grad norm %.6f%n", k, r.loss(), r.learningRate(),
            r.gradNorm());
      }
      Files.writeString(out.resolve("steps.json"), new JsonObject().put("seed", seed).put("batch", n).put("lr", lr)
          .put("precision", precision.label()).put("steps", log).encodePrettily());
    }
    System.out.println("wrote " + out.toAbsolutePath());
  }

  private static dev.recap.api.NamedPlugin plugin(String className) throws Exception {
    return (dev.recap.api.NamedPlugin) Class.forName(className).getDeclaredConstructor().newInstance();
  }
}
