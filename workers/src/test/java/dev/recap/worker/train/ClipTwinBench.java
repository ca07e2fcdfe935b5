package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import dev.recap.api.Extensions;
import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.SampleSource;
import dev.recap.api.data.Sample;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.AugmentPolicy;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.ImageFormat;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.WebDatasetReader;
import dev.recap.worker.data.WebDatasetWriter;
import dev.recap.worker.eval.ClipRetrieval;
import dev.recap.worker.eval.RetrievalMetrics;
import dev.recap.worker.exchange.Collective;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recap's CLIP pretraining beside its PyTorch twin ({@code src/test/python/clip_twin.py}) on the
 * same WebDataset shards, seeds and schedule: loss per epoch and held-out retrieval side by side.
 * A standing check that the Java trainer learns as the field's reference implementation does.
 *
 * <p>The shards are written once (kept in {@code dir}): {@code pairs} synthetic 64 px scenes
 * whose caption ({@code key.txt}) names colour, shape, size, position and distance of every
 * object, in shards of {@code shardSize}, plus {@code heldOut} pairs for retrieval. Recap trains
 * through the code the {@code pretrain} task runs ({@link ClipRunFactory}: vit-tiny + text-tiny,
 * the loader, {@link ClipTrainer} with the run spec's defaults); the twin processes run
 * meanwhile, one per seed.
 *
 * <p>Properties: {@code dir} (default {@code <tmpdir>/recap-clip-twin}), {@code pairs} (8192),
 * {@code shardSize} (1024), {@code heldOut} (512), {@code seeds} (1,2), {@code epochs} (3),
 * {@code batch} (256), {@code lr} (1e-3), {@code warmup} (12), {@code minScale} (0.9),
 * {@code flip} (false), {@code python} (/usr/bin/python3), {@code twin} (the script's path,
 * default {@code src/test/python/clip_twin.py} from the workers module), {@code twinLibraryPath}
 * (LD_LIBRARY_PATH for the twin, e.g. an OpenBLAS directory), {@code runs} (recap,twin),
 * {@code twinStart} ({@code own}: the twin draws its own initialization; {@code recap}: it starts
 * from Recap's initial parameters of the same seed, {@code recap-init-seedN.safetensors}),
 * {@code twinOrder} ({@code own}: a full permutation per epoch; {@code recap}: Recap's batches,
 * key for key, {@code recap-order-seedN.tsv}, written by iterating Recap's loader before training
 * and checked against the batches Recap trains on). The
 * plugin classes ({@code plugins/vit}, {@code plugins/text-transformer},
 * {@code plugins/synth-scenes} target/classes) must be on the class path.
 */
public final class ClipTwinBench {

  private static final String VIT = "dev.recap.plugins.vit.VitEncoder";
  private static final String TEXT = "dev.recap.plugins.texttransformer.TextTransformerEncoder";
  private static final String SCENES = "dev.recap.plugins.synthscenes.SynthScenes";
  private static final long DATA_SEED = 7;

  /** One run's outcome, Recap's or the twin's. */
  record Outcome(String who, long seed, double[] epochLoss, double r1, double r5, int heldOut, int uniqueCaptions,
      double seconds) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(System.getProperty("dir", System.getProperty("java.io.tmpdir") + "/recap-clip-twin"));
    int pairs = Integer.getInteger("pairs", 8192);
    int shardSize = Integer.getInteger("shardSize", 1024);
    int heldOut = Integer.getInteger("heldOut", 512);
    long[] seeds = Arrays.stream(System.getProperty("seeds", "1,2").split(",")).mapToLong(Long::parseLong).toArray();
    int epochs = Integer.getInteger("epochs", 3);
    int batch = Integer.getInteger("batch", 256);
    double lr = Double.parseDouble(System.getProperty("lr", "1e-3"));
    int warmup = Integer.getInteger("warmup", 12);
    AugmentPolicy augment = new AugmentPolicy(Double.parseDouble(System.getProperty("minScale", "0.9")),
        Boolean.parseBoolean(System.getProperty("flip", "false")));
    List<String> runs = List.of(System.getProperty("runs", "recap,twin").split(","));
    boolean twinStartsAsRecap = choice("twinStart");
    boolean twinFollowsRecap = choice("twinOrder");

    System.out.printf("machine: %d cores, load average %s, java %s, libtorch threads %s%n",
        Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.version"),
        System.getProperty("ai.djl.pytorch.num_threads", "default"));
    System.out.printf("data: %d pairs in shards of %d, %d held out; batch %d, %d epochs, lr %s, warm-up %d, %s%n", pairs,
        shardSize, heldOut, batch, epochs, lr, warmup, augment.describe());
    System.out.printf("twin: %s initialization, %s sample order%n", twinStartsAsRecap ? "Recap's" : "its own",
        twinFollowsRecap ? "Recap's" : "its own (full permutation)");
    List<Path> train = writeShards(dir.resolve("data"), pairs, shardSize, heldOut);
    Path heldOutShard = dir.resolve("data").resolve("heldout.tar");

    ClipRunSpec spec = new ClipRunSpec("clip", "vit", Map.of("preset", "vit-tiny"), "text-transformer",
        Map.of("preset", "text-tiny"), 128, 64, batch, epochs, 0, lr, warmup, 0, 0.75, 128, 1, augment);
    ClipRunFactory factory = new ClipRunFactory(spec, Extensions.of(plugin(VIT), plugin(TEXT)));
    List<String> corpus = new ArrayList<>();
    for (Path shard : train) {
      for (Sample s : new WebDatasetReader(shard, new SkipReport(), false)) {
        corpus.add(s.captions().get(Sample.ALT));
      }
    }
    TextTokenizer tokenizer = factory.tokenizer(corpus);
    tokenizer.save(dir.resolve("tokenizer"));

    List<Process> twins = new ArrayList<>();
    if (runs.contains("twin")) {
      for (long seed : seeds) {
        List<String> extra = new ArrayList<>();
        if (twinStartsAsRecap) {
          Path init = dir.resolve("recap-init-seed" + seed + ".safetensors");
          try (NDManager manager = NDManager.newBaseManager()) {
            factory.checkpoint().write(factory.clipModel(manager, tokenizer, seed), init);
          }
          extra.addAll(List.of("--init", init.toString()));
        }
        if (twinFollowsRecap) {
          Path order = dir.resolve("recap-order-seed" + seed + ".tsv");
          Files.write(order, recapOrder(factory, train, seed, factory.totalSteps(corpus.size())));
          extra.addAll(List.of("--order", order.toString()));
        }
        twins.add(startTwin(dir, seed, epochs, batch, lr, warmup, augment, extra));
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    if (runs.contains("recap")) {
      for (long seed : seeds) {
        Path order = dir.resolve("recap-order-seed" + seed + ".tsv");
        Path init = dir.resolve("recap-init-seed" + seed + ".safetensors");
        outcomes.add(recap(factory, tokenizer, train, heldOutShard, seed, corpus.size(),
            twinFollowsRecap && runs.contains("twin") ? order : null, twinStartsAsRecap && runs.contains("twin") ? init : null));
      }
    }
    for (int i = 0; i < twins.size(); i++) {
      outcomes.add(twinOutcome(twins.get(i), dir, seeds[i]));
    }
    print(outcomes, epochs);
    System.out.printf("load average at the end: %s%n", loadAverage());
  }

  private static boolean choice(String property) {
    String v = System.getProperty(property, "own");
    if (!v.equals("own") && !v.equals("recap")) {
      throw new IllegalArgumentException("-D" + property + " must be own or recap, got '" + v + "'");
    }
    return v.equals("recap");
  }

  /**
   * Recap's batches of every epoch, one line per step: the epoch (from 1), a tab, the samples' keys
   * separated by spaces; what its loader yields for {@code seed}, the order the twin follows with
   * {@code --order}.
   */
  static List<String> recapOrder(ClipRunFactory factory, List<Path> train, long seed, long total) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int epoch = 0; epoch < factory.spec().epochs() && lines.size() < total; epoch++) {
      try (BatchLoader loader = factory.loader(train, null, seed, epoch, 0, 1); NDManager scope = NDManager.newBaseManager()) {
        for (Batch next = loader.next(scope); next != null && lines.size() < total; next = loader.next(scope)) {
          try (Batch b = next) {
            lines.add((epoch + 1) + "\t" + String.join(" ", b.keys()));
          }
        }
      }
    }
    return lines;
  }

  /**
   * Trains one seed as the pretrain task does and measures retrieval on the held-out shard. When
   * {@code order} is given, checks that the batches trained on are the ones written there; when
   * {@code init} is given, that the initial parameters are the ones written there.
   */
  static Outcome recap(ClipRunFactory factory, TextTokenizer tokenizer, List<Path> train, Path heldOut, long seed, int samples,
      Path order, Path init) throws Exception {
    long started = System.nanoTime();
    int epochs = factory.spec().epochs();
    long total = factory.totalSteps(samples);
    double[] epochLoss = new double[epochs];
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = factory.clipModel(manager, tokenizer, seed);
      if (init != null) {
        Map<String, Safetensors.Tensor> written = Safetensors.read(init);
        boolean same = true;
        for (Map.Entry<String, ai.djl.nn.Parameter> e : factory.checkpoint().named(model).entrySet()) {
          same &= Arrays.equals(written.get(e.getKey()).data(), e.getValue().getArray().toFloatArray());
        }
        System.out.printf("recap seed %d: initial parameters identical to %s: %s%n", seed, init.getFileName(), same);
      }
      List<String> trained = new ArrayList<>();
      StringBuilder stepLosses = new StringBuilder();
      ClipTrainer trainer = factory.clipTrainer(model, manager, total, Collective.single());
      System.out.printf("recap seed %d: %s arithmetic%n", seed, trainer.precision().label());
      long done = 0;
      for (int epoch = 0; epoch < epochs && done < total; epoch++) {
        double sum = 0;
        int steps = 0;
        try (BatchLoader loader = factory.loader(train, null, seed, epoch, 0, 1); NDManager scope = NDManager.newBaseManager()) {
          for (Batch next = loader.next(scope); next != null && done < total; next = loader.next(scope)) {
            try (Batch b = next) {
              trained.add((epoch + 1) + "\t" + String.join(" ", b.keys()));
              double loss = trainer.step(ClipRunFactory.clipBatch(b, tokenizer)).loss();
              stepLosses.append(stepLosses.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", loss));
              sum += loss;
            }
            steps++;
            done++;
          }
        }
        epochLoss[epoch] = sum / steps;
        System.out.printf(Locale.ROOT, "recap seed %d epoch %d: mean loss %.4f (%d steps, %.0f s)%n", seed, epoch + 1,
            epochLoss[epoch], steps, (System.nanoTime() - started) / 1e9);
      }
      System.out.printf("recap seed %d step losses: %s%n", seed, stepLosses);
      if (order != null) {
        System.out.printf("recap seed %d: batches identical to %s: %s%n", seed, order.getFileName(),
            trained.equals(Files.readAllLines(order, StandardCharsets.UTF_8)));
      }
      RetrievalMetrics m = ClipRetrieval.measure(model, tokenizer, List.of(heldOut), factory.spec().imageSize(), manager);
      return new Outcome("recap", seed, epochLoss, (m.imageToText().get(0) + m.textToImage().get(0)) / 2,
          (m.imageToText().get(1) + m.textToImage().get(1)) / 2, m.texts(), m.uniqueTexts(), (System.nanoTime() - started) / 1e9);
    }
  }

  static Process startTwin(Path dir, long seed, int epochs, int batch, double lr, int warmup, AugmentPolicy augment,
      List<String> extra) throws Exception {
    String script = System.getProperty("twin", "src/test/python/clip_twin.py");
    if (!Files.isRegularFile(Path.of(script))) {
      throw new IllegalArgumentException("-Dtwin=" + script + ": no such file; point it at workers/src/test/python/clip_twin.py");
    }
    List<String> command = new ArrayList<>(List.of(System.getProperty("python", "/usr/bin/python3"), "-u", script,
        "--train", dir.resolve("data") + "/train-*.tar", "--heldout", dir.resolve("data/heldout.tar").toString(),
        "--vocab", dir.resolve("tokenizer/vocab.txt").toString(), "--seed", Long.toString(seed),
        "--epochs", Integer.toString(epochs), "--batch", Integer.toString(batch), "--lr", Double.toString(lr),
        "--warmup", Integer.toString(warmup), "--min-scale", Double.toString(augment.minScale())));
    if (augment.flip()) {
      command.add("--flip");
    }
    command.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("twin-seed" + seed + ".log").toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    String libraries = System.getProperty("twinLibraryPath");
    if (libraries != null) {
      pb.environment().put("LD_LIBRARY_PATH", libraries);
    }
    System.out.println("twin seed " + seed + ": " + String.join(" ", command));
    return pb.start();
  }

  static Outcome twinOutcome(Process p, Path dir, long seed) throws Exception {
    int code = p.waitFor();
    Path log = dir.resolve("twin-seed" + seed + ".log");
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    lines.stream().filter(l -> l.startsWith("twin")).forEach(System.out::println);
    String result = lines.stream().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElse(null);
    if (code != 0 || result == null) {
      throw new IllegalStateException("the twin (seed " + seed + ") exited with " + code + " and no RESULT line; see " + log);
    }
    JsonObject r = new JsonObject(result.substring("RESULT ".length()));
    JsonArray losses = r.getJsonArray("epochLoss");
    double[] epochLoss = new double[losses.size()];
    for (int i = 0; i < epochLoss.length; i++) {
      epochLoss[i] = losses.getDouble(i);
    }
    return new Outcome("twin", seed, epochLoss, r.getDouble("r1"), r.getDouble("r5"), r.getInteger("heldoutPairs"),
        r.getInteger("uniqueCaptions"), r.getDouble("seconds"));
  }

  static void print(List<Outcome> outcomes, int epochs) {
    StringBuilder header = new StringBuilder("| run | seed |");
    StringBuilder rule = new StringBuilder("| --- | --- |");
    for (int e = 1; e <= epochs; e++) {
      header.append(" epoch ").append(e).append(" loss |");
      rule.append(" --- |");
    }
    System.out.println(header + " R@1 | R@5 | held-out pairs (unique captions) | seconds |");
    System.out.println(rule + " --- | --- | --- | --- |");
    for (Outcome o : outcomes) {
      StringBuilder row = new StringBuilder("| " + o.who() + " | " + o.seed() + " |");
      for (double l : o.epochLoss()) {
        row.append(String.format(Locale.ROOT, " %.4f |", l));
      }
      System.out.println(row + String.format(Locale.ROOT, " %.4f | %.4f | %d (%d) | %.0f |", o.r1(), o.r5(), o.heldOut(),
          o.uniqueCaptions(), o.seconds()));
    }
    for (String who : List.of("recap", "twin")) {
      double[] last = outcomes.stream().filter(o -> o.who().equals(who)).mapToDouble(o -> o.epochLoss()[o.epochLoss().length - 1])
          .toArray();
      double[] r1 = outcomes.stream().filter(o -> o.who().equals(who)).mapToDouble(Outcome::r1).toArray();
      double[] r5 = outcomes.stream().filter(o -> o.who().equals(who)).mapToDouble(Outcome::r5).toArray();
      if (last.length > 0) {
        System.out.printf(Locale.ROOT, "%s: last-epoch loss %s, R@1 %s, R@5 %s%n", who, spread(last), spread(r1), spread(r5));
      }
    }
  }

  /** mean (min..max) of the seeds. */
  private static String spread(double[] v) {
    return String.format(Locale.ROOT, "%.4f (%.4f..%.4f)", Arrays.stream(v).average().orElse(Double.NaN),
        Arrays.stream(v).min().orElse(Double.NaN), Arrays.stream(v).max().orElse(Double.NaN));
  }

  /** Writes the shards unless a previous run did (train-NNNNN.tar and heldout.tar; done.json last). */
  static List<Path> writeShards(Path data, int pairs, int shardSize, int heldOut) throws Exception {
    List<Path> train = new ArrayList<>();
    for (int from = 0, i = 0; from < pairs; from += shardSize, i++) {
      train.add(data.resolve(String.format("train-%05d.tar", i)));
    }
    Path done = data.resolve("done.json");
    JsonObject wanted = new JsonObject().put("pairs", pairs).put("shardSize", shardSize).put("heldOut", heldOut)
        .put("dataSeed", DATA_SEED);
    if (Files.exists(done) && new JsonObject(Files.readString(done)).equals(wanted)) {
      System.out.println("shards: reusing " + data);
      return train;
    }
    Files.createDirectories(data);
    SampleSource source = (SampleSource) plugin(SCENES);
    SampleSource.Generator generator = source.open(source.resolve(PluginConfig.of("preset", "synth-64")), DATA_SEED);
    long t0 = System.nanoTime();
    for (int i = 0; i < train.size(); i++) {
      write(generator, train.get(i), (long) i * shardSize, Math.min(pairs, (long) (i + 1) * shardSize));
    }
    write(generator, data.resolve("heldout.tar"), pairs, (long) pairs + heldOut);
    Files.writeString(done, wanted.encode());
    System.out.printf("shards: wrote %d + %d pairs to %s in %.0f s%n", pairs, heldOut, data, (System.nanoTime() - t0) / 1e9);
    return train;
  }

  /** Samples [from, to) with their quality caption (every object named) as the shard's caption. */
  private static void write(SampleSource.Generator generator, Path shard, long from, long to) throws Exception {
    try (WebDatasetWriter writer = new WebDatasetWriter(shard, ImageFormat.PNG)) {
      for (long i = from; i < to; i++) {
        Sample s = generator.sample(i);
        String caption = s.captions().get(Sample.QUALITY);
        writer.write(new Sample(s.key(), s.image(), Map.of(Sample.ALT, caption, Sample.QUALITY, caption), s.objects(),
            null, null));
      }
    }
  }

  private static NamedPlugin plugin(String className) throws Exception {
    try {
      return (NamedPlugin) Class.forName(className).getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(className + " is not on the class path: add the plugin's target/classes"
          + " (plugins/vit, plugins/text-transformer, plugins/synth-scenes)", e);
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    } catch (Exception e) {
      return "unknown";
    }
  }
}
