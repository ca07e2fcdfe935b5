package dev.recap.coordinator.cli;

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
 * <p>Proxy size: the shards are counted and one is read to count its pairs; the proxy takes as
 * many whole shards, spread evenly over the dataset, as the pretraining share of the budget can
 * train at {@link Options#imagesPerSecond} per worker (half of the budget goes to pretraining, the
 * rest to reading, captioning and evaluation). {@link #sizing()} says so in words.
 */
final class AssessSpec {

  /** Images per second one worker trains the tiny CLIP at 64 px, measured on a 2-core machine (2026-12-04). */
  static final double DEFAULT_IMAGES_PER_SECOND = 100;

  /** Share of the budget the proxy's pretraining may take. */
  static final double PRETRAIN_SHARE = 0.5;

  /** Epochs over the proxy per run. */
  static final int EPOCHS = 2;

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

  private final String yaml;
  private final String sizing;
  private final int proxyShards;
  private final int totalShards;
  private final long proxyPairs;

  private AssessSpec(String yaml, String sizing, int proxyShards, int totalShards, long proxyPairs) {
    this.yaml = yaml;
    this.sizing = sizing;
    this.proxyShards = proxyShards;
    this.totalShards = totalShards;
    this.proxyPairs = proxyPairs;
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
    long budget;
    try {
      budget = Budget.seconds(o.budget());
    } catch (IllegalArgumentException e) {
      throw new OptionException("--budget", e.getMessage());
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
    double ips = o.imagesPerSecond() > 0 ? o.imagesPerSecond() : DEFAULT_IMAGES_PER_SECOND;
    // the two CLIP runs of a seed train side by side when there are two workers
    double parallel = Math.min(2, o.workers()) / 2.0;
    long affordable = (long) (PRETRAIN_SHARE * budget * ips * parallel / (o.seeds() * EPOCHS));
    long wanted = Math.max(MIN_PAIRS, affordable);
    int shardsNeeded = (int) Math.min(files.size(), Math.max(1, (wanted + perShard - 1) / perShard));
    List<Path> proxy = spread(files, shardsNeeded);
    long pairs = shardsNeeded * perShard;
    int heldOut = (int) Math.max(8, Math.min(512, pairs / 10));
    String sizing = String.format(Locale.ROOT, "proxy: %d of %d shards (~%d pairs, %d held out for retrieval; %d pairs in the"
        + " first shard); sized so %d seed(s) x 2 CLIP runs x %d epochs fit %.0f%% of the %s budget at %.0f images/s per"
        + " worker (%s) on %d worker(s)%s", shardsNeeded, files.size(), pairs, heldOut, perShard, o.seeds(), EPOCHS,
        PRETRAIN_SHARE * 100, Budget.format(budget), ips, o.imagesPerSecond() > 0 ? "--images-per-second" : "the default,"
            + " measured on a 2-core machine; pass the trainer images/s an earlier report states", o.workers(),
        shardsNeeded == files.size() ? "; the budget allows the whole dataset" : "");
    String yaml = yaml(o, budget, captioner, dense, proxy, heldOut, sizing, files.size(), pairs);
    return new AssessSpec(yaml, sizing, shardsNeeded, files.size(), pairs);
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

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String yaml(Options o, long budget, Captioner c, String[] dense, List<Path> proxy, int heldOut, String sizing,
      int totalShards, long pairs) {
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
          .append("    trainLimit: 1000   # a proxy of the dense set too: evenly spread images\n")
          .append("    testLimit: 300\n");
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
      y.append("    seeds: [").append(s).append("]\n    imageSize: 64\n    batchSize: 64\n    epochs: ").append(EPOCHS).append('\n')
          .append("    warmupSteps: 10\n    snapshots: 3\n    runs:\n");
      String enc = "encoder: vit, encoderConfig: {preset: " + o.encoder() + "}";
      y.append("      - {name: ").append(ORIGINAL).append(", ").append(enc).append(", captions: alt-text}\n")
          .append("      - {name: ").append(RECAPTIONED).append(", ").append(enc).append(", captions: ").append(c.source()).append("}\n")
          .append("      - {name: ").append(CONTROL).append(", objective: none, ").append(enc).append("}\n");
      y.append("  - name: ").append(evaluate).append("\n    kind: evaluate\n    after: [data, ").append(pretrain)
          .append(dense != null ? ", dense" : "").append("]\n");
      if (dense != null) {
        y.append("    tasks: [").append(dense[0].equals("ade20k") ? "segmentation" : "depth").append("]\n")
            .append("    protocols: [frozen]\n    frozen: {fractions: [1.0], head: linear, epochs: 5, batchSize: 16}\n")
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
    return y.toString();
  }
}
