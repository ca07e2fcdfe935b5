package dev.recap.coordinator.cli;

import dev.recap.bus.BenchmarkListing;
import dev.recap.bus.DenseFormat;
import dev.recap.coordinator.plan.CurateStagePlanner;
import dev.recap.coordinator.plan.ShardPatterns;
import dev.recap.coordinator.spec.Budget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The job spec behind {@code recap assess}: "should I recaption my data?" asked of the user's own
 * shards. From the options it writes an ordinary spec (YAML) of existing stages: a {@code dataset}
 * stage on a proxy sample of the shards, a {@code train-captioner} when the captioner is learned,
 * a {@code curate} stage with {@code alt-text} (the original captions) and the chosen captioner,
 * then one {@code pretrain} + {@code evaluate} round per seed (matched CLIPs on the original and on
 * the recaptioned captions, same seed so same initialization and data order, with snapshots, and a
 * random-initialization control), each round after the first held back by {@code withinBudget}
 * when it would overrun the budget, and a {@code report} with the Assessment section.
 *
 * <p>Sizing: a seed's round is pretraining (the two CLIPs side by side) plus its evaluation (seven
 * frozen probes on the dense set and the retrievals). The dense set is looked at first (images per
 * split, one label's size, classes) and a probe's cost estimated from it ({@link ProbeCost}); the
 * dense limits shrink when the probes of every seed would take more than their share of the budget;
 * what is left of each seed's share trains the CLIPs at {@link Options#imagesPerSecond} per worker,
 * and the proxy takes as many whole shards, spread evenly over the dataset, as that affords.
 * {@link #sizing()} says so in words.
 */
final class AssessSpec {

  /**
   * Images per second one worker trains the tiny CLIP at 64 px in bf16, two workers sharing a
   * 2-core machine (measured 2026-12-06: 225-273).
   */
  static final double DEFAULT_IMAGES_PER_SECOND = 220;

  /** A retrieval task's wall seconds (512 held-out pairs through a tiny CLIP), measured 2026-12-06. */
  static final double RETRIEVAL_SECONDS = 3;

  /** Share of the budget the seed rounds may plan to use; the rest is reading, curation and slack. */
  static final double ROUNDS_SHARE = 0.85;

  /** Largest share of a round the dense probes may take before the dense limits shrink. */
  static final double PROBE_SHARE = 0.6;

  /** Frozen probes per seed: two CLIPs at 1/3, 2/3 and the end of training, and the control. */
  static final int PROBES_PER_SEED = 7;

  /** Retrieval tasks per seed (the same six models as the CLIP probes). */
  static final int RETRIEVALS_PER_SEED = 6;

  /**
   * Head epochs of the frozen probe. A 150-class probe needs them: on the scenes read as ADE20k,
   * 5 epochs left the untrained control probing best, 20 put both CLIPs above it.
   */
  static final int HEAD_EPOCHS = 20;

  /** The encoders' input size and the probe's window size. */
  static final int IMAGE_SIZE = 64;

  /** The small CLIPs' batch (the trainer's calibration trains at it too). */
  static final int PRETRAIN_BATCH = 64;

  /** Dense images the probes use at most (evenly spread), and the fewest the sizing shrinks them to. */
  static final int DENSE_TRAIN_LIMIT = 1000;
  static final int DENSE_TEST_LIMIT = 300;
  static final int DENSE_MIN = 100;

  /** Epochs over the proxy per run, when the proxy is a sample of the shards. */
  static final int EPOCHS = 2;

  /**
   * Most epochs over a proxy that is the whole dataset: when the budget allows all the pairs at
   * {@link #EPOCHS}, the time left trains more passes, up to this many (the caption-quality
   * curve trains 9 epochs of 20,000 pairs, and its caption effect grows with the pairs seen).
   */
  static final int MAX_EPOCHS = 10;

  /** The fewest training pairs a proxy gets, whatever the budget. */
  static final int MIN_PAIRS = 256;

  /** The run names the report compares. */
  static final String ORIGINAL = "original";
  static final String RECAPTIONED = "recaptioned";
  static final String CONTROL = "random-init";

  /**
   * What {@code recap assess} was asked.
   *
   * @param shards the shard pattern (brace, glob, path), relative to {@code folder}
   * @param dense {@code ade20k:<root>} or {@code nyuv2:<root>}, or null for retrieval only
   * @param captioner {@code learned}, {@code torchscript:<model.pt>} or {@code json:<field>}
   * @param reference {@code json:<field>} of trusted captions the learned captioner trains on, or null
   * @param caption where the original caption is: {@code txt} or {@code json:<field>}
   * @param budget the wall-time budget as written ({@code 30m})
   * @param seeds how many seeds at most
   * @param encoder the image encoder preset ({@code vit-tiny})
   * @param workers workers the job runs on (for sizing)
   * @param imagesPerSecond a worker's training speed (for sizing), 0 for the default
   * @param folder the folder relative paths resolve against
   */
  record Options(String shards, String dense, String captioner, String reference, String caption, String budget, int seeds,
      String encoder, int workers, double imagesPerSecond, Path folder) {}

  /** Thrown with a message that names the option at fault. */
  static final class OptionException extends IllegalArgumentException {
    OptionException(String option, String message) {
      super(option + ": " + message);
    }
  }

  /**
   * What a dense set is, as far as sizing needs it: usable images per split (after the limits),
   * one label's size, and the classes the probe predicts (1 for depth).
   */
  record DenseSet(String format, int trainImages, int testImages, int labelWidth, int labelHeight, int classes) {

    /** The set with at most {@code train} / {@code test} images per split. */
    DenseSet limited(int train, int test) {
      return new DenseSet(format, Math.min(trainImages, train), Math.min(testImages, test), labelWidth, labelHeight, classes);
    }

    /** The dense-data stage's limit for a split: its images, or the limit when none were found (the stage reports that). */
    static int limit(int images, int limit) {
      return images > 0 ? images : limit;
    }
  }

  /**
   * The wall seconds of one frozen linear probe on one worker, estimated from the dense set: an
   * encoder pass per training crop and per test window, head training on {@code S x S} crops
   * whose cost grows with the classes, and scoring at the label's resolution (upsampling and arg
   * max over the classes). The constants were measured on a 2-core machine with two workers (one
   * thread each) and the launcher's memory-allocator settings, 2026-12-06; a run's report states
   * the probe seconds it measured against this estimate.
   */
  static final class ProbeCost {
    /** Encoder pass (frozen, fp32) per 64 px window: 1.4-2.6 s for 640 crops. */
    static final double ENCODER_SECONDS_PER_WINDOW = 0.003;
    /** Head training per epoch, per crop pixel and per output channel: 19-52 s (mean 30) for 640 crops x 5 epochs, 150 classes. */
    static final double TRAIN_SECONDS_PER_PIXEL_CLASS = 1.5e-8;
    /** Scoring per test image besides its pixels (bootstrap, confusion counts): 3.1-4.1 s for 300 64x64 images. */
    static final double SCORE_SECONDS_PER_IMAGE = 0.007;
    /**
     * Scoring per label pixel and per output channel (upsampling, arg max): ADE20k's 683x512 labels
     * at 64 ms per image with two threads, taken as twice that for one of two workers.
     */
    static final double SCORE_SECONDS_PER_PIXEL_CLASS = 2.5e-9;

    private ProbeCost() {}

    /** Estimated seconds of one probe. */
    static double seconds(DenseSet d) {
      int s = IMAGE_SIZE;
      double channels = d.classes() + 1; // the loss and its gradient add about one channel's work
      double train = d.trainImages() * (ENCODER_SECONDS_PER_WINDOW
          + HEAD_EPOCHS * (double) s * s * channels * TRAIN_SECONDS_PER_PIXEL_CLASS);
      double test = d.testImages() * (windows(d.labelWidth(), d.labelHeight()) * ENCODER_SECONDS_PER_WINDOW
          + SCORE_SECONDS_PER_IMAGE + (double) d.labelWidth() * d.labelHeight() * channels * SCORE_SECONDS_PER_PIXEL_CLASS);
      return train + test;
    }

    /** Sliding windows over a {@code w x h} image scaled to a shorter side of {@link #IMAGE_SIZE}, stride 2/3. */
    static int windows(int w, int h) {
      int s = IMAGE_SIZE;
      double scale = (double) s / Math.min(w, h);
      int sw = Math.max(s, (int) (w * scale + 0.5));
      int sh = Math.max(s, (int) (h * scale + 0.5));
      int stride = s * 2 / 3;
      return (1 + (sw - s + stride - 1) / stride) * (1 + (sh - s + stride - 1) / stride);
    }
  }

  private final String yaml;
  private final String sizing;
  private final int proxyShards;
  private final int totalShards;
  private final long proxyPairs;
  private final DenseSet dense;
  private final double roundSeconds;
  private final Path firstShard;

  private AssessSpec(String yaml, String sizing, int proxyShards, int totalShards, long proxyPairs, DenseSet dense,
      double roundSeconds, Path firstShard) {
    this.firstShard = firstShard;
    this.yaml = yaml;
    this.sizing = sizing;
    this.proxyShards = proxyShards;
    this.totalShards = totalShards;
    this.proxyPairs = proxyPairs;
    this.dense = dense;
    this.roundSeconds = roundSeconds;
  }

  /** The dataset's first shard, always in the proxy: the trainer's calibration reads it. */
  Path firstShard() {
    return firstShard;
  }

  /** The dense set the probes use, after the sizing's limits; null without {@code --dense}. */
  DenseSet dense() {
    return dense;
  }

  /** A seed round's estimated wall seconds (pretraining plus evaluation). */
  double roundSeconds() {
    return roundSeconds;
  }

  /** The spec's YAML. */
  String yaml() {
    return yaml;
  }

  /** How the proxy was sized, in words (also in the spec's comments and the report). */
  String sizing() {
    return sizing;
  }

  int proxyShards() {
    return proxyShards;
  }

  int totalShards() {
    return totalShards;
  }

  long proxyPairs() {
    return proxyPairs;
  }

  /**
   * Builds the spec: checks every option, expands the shard pattern, counts the pairs of its first
   * shard and sizes the proxy.
   *
   * @throws OptionException naming the option at fault
   */
  static AssessSpec of(Options o) {
    return of(o, null);
  }

  /**
   * The spec sized with the trainer speed a calibration measured on this machine (null: the
   * option's or the default speed); the calibration's time comes out of the budget.
   *
   * @throws OptionException naming the option at fault, or saying the calibration left no budget
   */
  static AssessSpec of(Options o, AssessCalibration.Result calibration) {
    long asked;
    try {
      asked = Budget.seconds(o.budget());
    } catch (IllegalArgumentException e) {
      throw new OptionException("--budget", e.getMessage());
    }
    long budget = calibration == null ? asked : asked - calibration.seconds();
    if (calibration != null && budget < 60) {
      throw new OptionException("--budget", "the trainer's calibration took " + Budget.format(calibration.seconds()) + " of the "
          + Budget.format(asked) + " budget, leaving too little for the assessment: give a larger budget, or skip the"
          + " calibration with --images-per-second");
    }
    if (o.seeds() < 1 || o.seeds() > 20) {
      throw new OptionException("--seeds", "must be between 1 and 20, got " + o.seeds());
    }
    if (o.workers() < 1) {
      throw new OptionException("--workers", "must be at least 1, got " + o.workers());
    }
    if (o.imagesPerSecond() < 0) {
      throw new OptionException("--images-per-second", "must be positive, got " + o.imagesPerSecond());
    }
    if (!o.encoder().matches("[a-z0-9.-]+")) {
      throw new OptionException("--encoder", "must be a vit preset such as vit-tiny, got '" + o.encoder() + "'");
    }
    if (!o.caption().equals("txt") && !o.caption().matches("json:[A-Za-z0-9_.-]+")) {
      throw new OptionException("--caption", "must be txt or json:<field>, got '" + o.caption() + "'");
    }
    Captioner captioner = captioner(o);
    String[] dense = dense(o.dense());
    if (o.shards() == null || o.shards().isBlank()) {
      throw new OptionException("--shards", "is required: your WebDataset shards, e.g. 'crawl/{00000..01023}.tar'");
    }
    List<Path> files;
    try {
      files = ShardPatterns.files(o.shards(), o.folder());
    } catch (IllegalArgumentException e) {
      throw new OptionException("--shards", e.getMessage());
    }
    long perShard;
    try {
      perShard = pairsIn(files.get(0));
    } catch (IOException e) {
      throw new OptionException("--shards", "cannot read " + files.get(0) + " to count its pairs: " + e.getMessage());
    }
    if (perShard == 0) {
      throw new OptionException("--shards", files.get(0) + " holds no samples");
    }
    double ips = calibration != null ? calibration.imagesPerSecond()
        : o.imagesPerSecond() > 0 ? o.imagesPerSecond() : DEFAULT_IMAGES_PER_SECOND;
    double perRound = ROUNDS_SHARE * budget / o.seeds();
    // the two CLIPs of a seed train side by side when there are two workers
    double parallel = Math.min(2, o.workers()) / 2.0;
    // the probes get their share of a round, or everything the whole dataset's pretraining leaves
    double wholePretrain = (double) files.size() * perShard * EPOCHS / (ips * parallel);
    double probeAllowance = Math.max(PROBE_SHARE * perRound, perRound - wholePretrain);

    // the dense probes first: what they cost at the limits, shrunk while they would take more than their share
    DenseSet denseSet = null;
    double probeSeconds = 0;
    String denseNote = "";
    if (dense != null) {
      DenseSet all = inspect(dense[0], resolve(o.folder(), dense[1]));
      denseSet = all.limited(DENSE_TRAIN_LIMIT, DENSE_TEST_LIMIT);
      while (evaluationSeconds(denseSet, o.workers()) > probeAllowance
          && (denseSet.trainImages() > DENSE_MIN || denseSet.testImages() > DENSE_MIN)) {
        denseSet = all.limited(Math.max(DENSE_MIN, denseSet.trainImages() * 3 / 4),
            Math.max(DENSE_MIN, denseSet.testImages() * 3 / 4));
      }
      probeSeconds = ProbeCost.seconds(denseSet);
      boolean shrunk = denseSet.trainImages() < Math.min(all.trainImages(), DENSE_TRAIN_LIMIT)
          || denseSet.testImages() < Math.min(all.testImages(), DENSE_TEST_LIMIT);
      denseNote = String.format(Locale.ROOT, "; dense probes on %d training and %d test images of %s (%dx%d labels, %d %s)%s,"
          + " about %s each", denseSet.trainImages(), denseSet.testImages(), all.format(), all.labelWidth(), all.labelHeight(),
          all.classes(), all.classes() == 1 ? "output" : "classes", shrunk ? ", fewer than the limits "
              + DENSE_TRAIN_LIMIT + "/" + DENSE_TEST_LIMIT + " so the probes fit" : "", Budget.format(Math.round(probeSeconds)));
    }
    double evaluation = evaluationSeconds(denseSet, o.workers());
    // what is left of a seed's share trains the two CLIPs
    double pretrainSeconds = Math.max(0, perRound - evaluation);
    long affordable = (long) (pretrainSeconds * ips * parallel / EPOCHS);
    long wanted = Math.max(MIN_PAIRS, affordable);
    int shardsNeeded = (int) Math.min(files.size(), Math.max(1, (wanted + perShard - 1) / perShard));
    List<Path> proxy = spread(files, shardsNeeded);
    long pairs = shardsNeeded * perShard;
    int heldOut = (int) Math.max(8, Math.min(512, pairs / 10));
    // a proxy that is the whole dataset spends the rest of the pretraining share on more passes
    int epochs = shardsNeeded < files.size() ? EPOCHS
        : (int) Math.max(EPOCHS, Math.min(MAX_EPOCHS, Math.floor(pretrainSeconds * ips * parallel / (pairs - heldOut))));
    double round = (pairs - heldOut) * epochs / (ips * parallel) + evaluation;
    String fits = o.seeds() * round <= budget ? ""
        : String.format(Locale.ROOT, "; %d seed(s) do not fit: the budget will stop the rounds that would overrun",
            o.seeds());
    String sizing = String.format(Locale.ROOT, "proxy: %d of %d shards (~%d pairs, %d held out for retrieval; %d pairs in the"
        + " first shard); a seed's round is estimated at %s (pretraining 2 CLIP runs x %d epochs at %.0f images/s per"
        + " worker (%s), evaluation %s on %d worker(s)%s), sized so %d seed(s) fit %.0f%% of the %s budget%s%s",
        shardsNeeded, files.size(), pairs, heldOut, perShard, Budget.format(Math.round(round)), epochs, ips,
        calibration != null ? calibration.describe() : o.imagesPerSecond() > 0 ? "--images-per-second"
            : "the default, measured on a 2-core machine; pass the trainer images/s an earlier report states",
        Budget.format(Math.round(evaluation)), o.workers(), denseNote, o.seeds(),
        ROUNDS_SHARE * 100, Budget.format(budget), shardsNeeded == files.size() ? "; the budget allows the whole dataset" : "",
        fits);
    String yaml = yaml(o, budget, captioner, dense, denseSet, probeSeconds, proxy, heldOut, epochs, sizing, files.size(), pairs);
    return new AssessSpec(yaml, sizing, shardsNeeded, files.size(), pairs, denseSet, round, files.get(0));
  }

  /** A seed's evaluation wall seconds: its probes and retrievals spread over the workers. */
  static double evaluationSeconds(DenseSet dense, int workers) {
    int w = Math.max(1, workers);
    // whole tasks: the busiest worker runs the rounded-up share of the probes
    double probes = dense == null ? 0 : Math.ceil((double) PROBES_PER_SEED / w) * ProbeCost.seconds(dense);
    return probes + RETRIEVALS_PER_SEED * RETRIEVAL_SECONDS / w;
  }

  /**
   * Counts a dense set's pairs per split as the dense-data stage lists them ({@link
   * BenchmarkListing}) and reads the first test label's size from its PNG header. Layout problems
   * are the dense-data stage's to report, with its own messages; here a split that cannot be
   * listed counts as empty.
   */
  static DenseSet inspect(String format, Path root) {
    DenseFormat f = DenseFormat.ofWireName(format);
    List<BenchmarkListing.Candidate> train = listing(f, root, "train");
    List<BenchmarkListing.Candidate> test = listing(f, root, "test");
    int[] size = test.stream().filter(c -> c.target() != null).findFirst().map(c -> pngSize(root.resolve(c.target())))
        .orElse(null);
    if (size == null) {
      size = new int[] {IMAGE_SIZE, IMAGE_SIZE};
    }
    return new DenseSet(format, train.size(), test.size(), size[0], size[1], f == DenseFormat.ADE20K ? 150 : 1);
  }

  private static List<BenchmarkListing.Candidate> listing(DenseFormat format, Path root, String split) {
    try {
      return BenchmarkListing.list(format, root, split);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** {width, height} from a PNG's IHDR, or null when the file is not a readable PNG. */
  static int[] pngSize(Path png) {
    try (InputStream in = Files.newInputStream(png)) {
      byte[] h = in.readNBytes(24);
      if (h.length < 24 || h[1] != 'P' || h[2] != 'N' || h[3] != 'G') {
        return null;
      }
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h);
      return new int[] {b.getInt(16), b.getInt(20)};
    } catch (IOException e) {
      return null;
    }
  }

  /** The chosen captioner as spec pieces. */
  private record Captioner(String source, String referenceCaption, boolean trains, String config) {}

  private static Captioner captioner(Options o) {
    String c = o.captioner() == null ? "learned" : o.captioner();
    if (c.equals("learned")) {
      if (o.reference() == null) {
        throw new OptionException("--reference", "--captioner learned trains on pairs that carry a trusted caption: name its"
            + " field with --reference json:<field>");
      }
      if (!o.reference().matches("json:[A-Za-z0-9_.-]+")) {
        throw new OptionException("--reference", "must be json:<field>, got '" + o.reference() + "'");
      }
      return new Captioner("learned", o.reference(), true, null);
    }
    if (c.startsWith("json:")) {
      if (!c.matches("json:[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
        throw new OptionException("--captioner", "json:<field> needs a field name of letters, digits, '_', '-' (dotted for"
            + " nested objects), got '" + c + "'");
      }
      if (o.reference() != null) {
        throw new OptionException("--reference", "only --captioner learned trains on reference captions; with " + c
            + " the recaptions are the stored captions");
      }
      return new Captioner(CurateStagePlanner.STORED, c, false, null);
    }
    if (c.startsWith("torchscript:")) {
      Path model = resolve(o.folder(), c.substring("torchscript:".length()));
      if (!Files.isRegularFile(model)) {
        throw new OptionException("--captioner", "torchscript model " + model + " is not a file");
      }
      Path tokenizer = model.resolveSibling("tokenizer.json");
      if (!Files.isRegularFile(tokenizer)) {
        throw new OptionException("--captioner", "torchscript:" + model + " needs its tokenizer beside it: " + tokenizer
            + " is missing");
      }
      return new Captioner("torchscript", null, false, "{model: '" + model + "', tokenizer: '" + tokenizer + "'}");
    }
    throw new OptionException("--captioner", "must be learned, torchscript:<model.pt> or json:<field>, got '" + c + "'");
  }

  private static String[] dense(String dense) {
    if (dense == null) {
      return null;
    }
    int colon = dense.indexOf(':');
    String format = colon < 0 ? dense : dense.substring(0, colon);
    if (colon < 0 || !(format.equals("ade20k") || format.equals("nyuv2")) || colon == dense.length() - 1) {
      throw new OptionException("--dense", "must be ade20k:<folder> (ADEChallengeData2016) or nyuv2:<folder>"
          + " (nyu_depth_v2), got '" + dense + "'");
    }
    return new String[] {format, dense.substring(colon + 1)};
  }

  private static Path resolve(Path folder, String path) {
    Path p = Path.of(path);
    return (p.isAbsolute() || folder == null ? p : folder.resolve(p)).toAbsolutePath().normalize();
  }

  /** {@code n} of {@code files}, evenly spread (the first always in). */
  static List<Path> spread(List<Path> files, int n) {
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(files.get((int) ((long) i * files.size() / n)));
    }
    return out;
  }

  /** The distinct sample keys of a tar shard (members {@code key.ext}), read from its headers. */
  static long pairsIn(Path shard) throws IOException {
    Set<String> keys = new HashSet<>();
    byte[] header = new byte[512];
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(shard))) {
      while (in.readNBytes(header, 0, 512) == 512) {
        if (header[0] == 0) {
          break; // end of archive
        }
        String name = text(header, 0, 100);
        String prefix = text(header, 345, 155);
        long size = Long.parseLong(text(header, 124, 12).trim().isEmpty() ? "0" : text(header, 124, 12).trim(), 8);
        byte type = header[156];
        if (type == '0' || type == 0) {
          String full = prefix.isEmpty() ? name : prefix + "/" + name;
          String base = full.substring(full.lastIndexOf('/') + 1);
          int dot = base.indexOf('.');
          if (dot > 0) {
            keys.add(full.substring(0, full.length() - base.length() + dot));
          }
        }
        in.skipNBytes((size + 511) / 512 * 512);
      }
    } catch (NumberFormatException | java.io.EOFException e) {
      throw new IOException("not a tar file (" + e.getMessage() + ")", e);
    }
    return keys.size();
  }

  private static String text(byte[] b, int from, int len) {
    int end = from;
    while (end < from + len && b[end] != 0) {
      end++;
    }
    return new String(b, from, end - from, StandardCharsets.UTF_8);
  }

  static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String yaml(Options o, long budget, Captioner c, String[] dense, DenseSet denseSet, double probeSeconds,
      List<Path> proxy, int heldOut, int epochs, String sizing, int totalShards, long pairs) {
    StringBuilder y = new StringBuilder();
    y.append("# recap assess: should these shards be recaptioned? Matched small CLIPs on the original and on the\n")
        .append("# recaptioned captions (same seeds: same initialization and data order), a random-initialization control,\n")
        .append("# frozen dense probes and retrieval on held-out pairs; the report opens with the verdict.\n")
        .append("#   shards:    ").append(o.shards()).append('\n')
        .append("#   captioner: ").append(o.captioner() == null ? "learned" : o.captioner()).append('\n')
        .append("#   ").append(sizing).append('\n')
        .append("# Edit and run it with: recap run <this file>\n")
        .append("name: assess\nseed: 7\nmaxAttempts: 2\nleaseSeconds: 60\n")
        .append("budget: ").append(Budget.format(budget)).append("   # a seed's round starts only if it fits, judged by the rounds before\n")
        .append("stages:\n");
    y.append("  - name: data\n    kind: dataset\n    shards:\n");
    for (Path p : proxy) {
      y.append("      - ").append(quote(p.toString())).append('\n');
    }
    y.append("    caption: ").append(o.caption()).append('\n');
    if (c.referenceCaption() != null) {
      y.append("    referenceCaption: ").append(c.referenceCaption())
          .append(c.trains() ? "   # trusted captions the learned captioner trains on\n" : "   # the recaptions made elsewhere\n");
    }
    y.append("    heldOut: ").append(heldOut).append('\n');
    List<String> curateAfter = new ArrayList<>(List.of("data"));
    if (c.trains()) {
      y.append("  - name: captioner\n    kind: train-captioner\n    after: [data]\n    captioner: learned\n")
          .append("    config: {encoder: vit, encoder.preset: ").append(o.encoder())
          .append(", imageSize: 64, steps: 200, batchSize: 32}\n");
      curateAfter.add("captioner");
    }
    y.append("  - name: curate\n    kind: curate\n    after: ").append(curateAfter).append('\n')
        .append("    sources: [alt-text, ").append(c.source()).append("]   # alt-text: the original captions\n")
        .append("    batchSize: 64\n");
    if (c.config() != null) {
      y.append("    configs: {").append(c.source()).append(": ").append(c.config()).append("}\n");
    }
    if (dense != null) {
      y.append("  - name: dense\n    kind: dense-data\n    format: ").append(dense[0]).append('\n')
          .append("    root: ").append(quote(resolve(o.folder(), dense[1]).toString())).append('\n')
          .append("    trainLimit: ").append(DenseSet.limit(denseSet.trainImages(), DENSE_TRAIN_LIMIT)).append("   # a proxy of the dense set too: evenly spread images\n")
          .append("    testLimit: ").append(DenseSet.limit(denseSet.testImages(), DENSE_TEST_LIMIT)).append('\n');
    }
    List<String> reportAfter = new ArrayList<>(List.of("data", "curate"));
    for (int s = 1; s <= o.seeds(); s++) {
      String pretrain = "pretrain-s" + s;
      String evaluate = "evaluate-s" + s;
      List<String> after = new ArrayList<>(List.of("data", "curate"));
      if (s > 1) {
        after.add("evaluate-s" + (s - 1)); // seeds run one after the other, so the budget can stop them
      }
      y.append("  - name: ").append(pretrain).append("\n    kind: pretrain\n    after: ").append(after).append('\n');
      if (s > 1) {
        y.append("    withinBudget: [pretrain-s1, evaluate-s1]   # skipped, with its evaluation, if it would overrun\n");
      }
      y.append("    seeds: [").append(s).append("]\n    imageSize: ").append(IMAGE_SIZE).append("\n    batchSize: ").append(PRETRAIN_BATCH)
          .append("\n    epochs: ").append(epochs).append('\n')
          .append("    warmupSteps: 10\n    snapshots: 3\n    runs:\n");
      String enc = "encoder: vit, encoderConfig: {preset: " + o.encoder() + "}";
      y.append("      - {name: ").append(ORIGINAL).append(", ").append(enc).append(", captions: alt-text}\n")
          .append("      - {name: ").append(RECAPTIONED).append(", ").append(enc).append(", captions: ").append(c.source()).append("}\n")
          .append("      - {name: ").append(CONTROL).append(", objective: none, ").append(enc).append("}\n");
      y.append("  - name: ").append(evaluate).append("\n    kind: evaluate\n    after: [data, ").append(pretrain)
          .append(dense != null ? ", dense" : "").append("]\n");
      if (dense != null) {
        y.append("    tasks: [").append(dense[0].equals("ade20k") ? "segmentation" : "depth").append("]\n")
            .append("    protocols: [frozen]\n    frozen: {fractions: [1.0], head: linear, epochs: ").append(HEAD_EPOCHS)
            .append(", batchSize: 16}\n")
            .append("    retrieval: true\n    curve: true\n");
      } else {
        y.append("    tasks: []\n    protocols: []\n    retrieval: true\n");
      }
      reportAfter.add(pretrain);
      reportAfter.add(evaluate);
    }
    y.append("  - name: report\n    kind: report\n    after: ").append(reportAfter).append('\n')
        .append("    title: ").append(quote("Should these shards be recaptioned? " + o.shards())).append('\n')
        .append("    assess:\n      original: ").append(ORIGINAL).append("\n      recaptioned: ").append(RECAPTIONED)
        .append("\n      control: ").append(CONTROL).append("\n      source: ").append(c.source())
        .append("\n      captioner: ").append(quote(o.captioner() == null ? "learned" : o.captioner()))
        .append("\n      shards: ").append(totalShards).append("\n      proxyShards: ").append(proxy.size())
        .append("\n      sizing: ").append(quote(sizing)).append('\n');
    if (denseSet != null) {
      y.append("      probeSeconds: ").append(String.format(Locale.ROOT, "%.1f", probeSeconds)).append("   # the sizing's estimate of one frozen probe\n");
    }
    return y.toString();
  }
}
