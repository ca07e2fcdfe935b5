package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.cli.AssessCalibration;
import dev.recap.coordinator.cli.RecapCli;
import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recap assess} end to end on the embedded default, tiny: shards whose images are solid
 * colours named by their caption, and "recaptions" stored in each sample's key.json
 * ({@code --captioner json:vlm}). Recaptions that are the original captions shuffled among the
 * images must be reported as harmful (retrieval at least); recaptions identical to the originals
 * as no detectable difference; and a budget too small for every seed stops after the first, and
 * the report says so. The spec is the one {@code recap assess --print-spec} writes, edited only to
 * tiny sizes as a user would edit it.
 */
class AssessPipelineTest {

  static final String[] COLOURS = {"red", "green", "blue", "yellow", "cyan", "magenta", "white", "black"};
  static final int[] RGB = {0xE02020, 0x20C020, 0x2040E0, 0xE0E020, 0x20E0E0, 0xE020E0, 0xF0F0F0, 0x101010};

  /** Pairs per shard, shards. */
  static final int PER_SHARD = 80;
  static final int SHARDS = 2;

  /**
   * Writes the shards: pair i is colour i mod 8 with pixel noise, key.txt "a photo of the colour
   * red", key.json {vlm: the recaption}: the original caption itself, or another pair's caption
   * (a fixed shuffle) when {@code shuffled}.
   */
  private static void shards(Path folder, boolean shuffled) throws Exception {
    int n = PER_SHARD * SHARDS;
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      captions.add("a photo of the colour " + COLOURS[i % COLOURS.length]);
    }
    List<String> recaptions = new ArrayList<>(captions);
    if (shuffled) {
      Collections.shuffle(recaptions, new Random(11));
    }
    Random noise = new Random(5);
    Files.createDirectories(folder);
    for (int s = 0; s < SHARDS; s++) {
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(folder.resolve(String.format("%05d.tar", s))))) {
        for (int j = 0; j < PER_SHARD; j++) {
          int i = s * PER_SHARD + j;
          String key = String.format(Locale.ROOT, "%09d", i);
          BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
          for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
              int d = noise.nextInt(41) - 20;
              int c = RGB[i % RGB.length];
              img.setRGB(x, y, clamp((c >> 16 & 255) + d) << 16 | clamp((c >> 8 & 255) + d) << 8 | clamp((c & 255) + d));
            }
          }
          ByteArrayOutputStream png = new ByteArrayOutputStream();
          ImageIO.write(img, "png", png);
          put(tar, key + ".png", png.toByteArray());
          put(tar, key + ".txt", captions.get(i).getBytes(StandardCharsets.UTF_8));
          put(tar, key + ".json", new JsonObject().put("key", key).put("vlm", recaptions.get(i)).encode().getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  /** A tiny ADEChallengeData2016: three training and two validation images, a dark left (wall) and a bright right (building). */
  private static void ade20k(Path root) throws Exception {
    for (String f : new String[] {"images/training", "images/validation", "annotations/training", "annotations/validation"}) {
      Files.createDirectories(root.resolve(f));
    }
    String[][] pairs = {{"training", "ADE_train_00000001"}, {"training", "ADE_train_00000002"}, {"training", "ADE_train_00000003"},
        {"validation", "ADE_val_00000001"}, {"validation", "ADE_val_00000002"}};
    for (String[] p : pairs) {
      int w = 64;
      int h = 48;
      byte[] rgb = new byte[w * h * 3];
      byte[] classes = new byte[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          java.util.Arrays.fill(rgb, (y * w + x) * 3, (y * w + x) * 3 + 3, (byte) (x < w / 2 ? 40 : 210));
          classes[y * w + x] = (byte) (x < w / 2 ? 1 : 2);
        }
      }
      Files.write(root.resolve("images/" + p[0] + "/" + p[1] + ".jpg"),
          dev.recap.worker.data.ImageCodec.encodeJpeg(new dev.recap.api.data.RgbImage(w, h, rgb), 0.95f));
      Files.write(root.resolve("annotations/" + p[0] + "/" + p[1] + ".png"), dev.recap.worker.data.ImageCodec.encodeClassMap(w, h, classes));
    }
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] bytes) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  /**
   * The spec {@code recap assess --print-spec} writes for these shards, edited to tiny sizes:
   * 32 px images, batches of 32, {@code epochs} epochs, no checkpoints, no copy of the report.
   */
  private static String spec(Path tmp, String budget, int seeds, int epochs, String... more) throws Exception {
    Path file = tmp.resolve("assess.yaml");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args = new ArrayList<>(List.of("assess", "--shards", tmp.resolve("crawl") + "/{00000..00001}.tar", "--captioner",
        "json:vlm", "--budget", budget, "--seeds", Integer.toString(seeds), "--print-spec", file.toString()));
    args.addAll(List.of(more));
    int code = RecapCli.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertEquals(RecapCli.OK, code, err.toString());
    assertTrue(out.toString().contains("proxy: 2 of 2 shards"), out.toString());
    String yaml = Files.readString(file);
    // the sizing gives a whole-dataset proxy as many epochs as the budget allows; the test sets its own
    String pretraining = "batchSize: 64\n    epochs: \\d+\n";
    assertTrue(yaml.matches("(?s).*" + pretraining + ".*"), "the generated spec has no pretraining epochs:\n" + yaml);
    yaml = yaml.replaceAll(pretraining, "batchSize: 32\n    epochs: " + epochs + "\n    checkpointEvery: 0\n");
    for (String[] edit : new String[][] {{"imageSize: 64", "imageSize: 32"}, {"warmupSteps: 10", "warmupSteps: 2"},
        {"kind: report\n", "kind: report\n    copyTo: ''\n"}, {"epochs: 20, batchSize: 16", "epochs: 2, batchSize: 4"}}) {
      if (edit[0].startsWith("epochs: 20") && !yaml.contains(edit[0])) {
        continue; // no dense probe in this spec
      }
      assertTrue(yaml.contains(edit[0]), "the generated spec has no '" + edit[0] + "':\n" + yaml);
      yaml = yaml.replace(edit[0], edit[1]);
    }
    return yaml;
  }

  private static String report(EmbeddedJobRun job) throws Exception {
    JobStatus done = job.done();
    assertEquals("SUCCEEDED", done.state(), () -> "job failed: " + done.cause());
    return Files.readString(job.tasks().get("report_report").resolve("report.md"));
  }

  @Test
  void shuffledRecaptionsAreReportedAsHarmful(@TempDir Path tmp) throws Exception {
    shards(tmp.resolve("crawl"), true);
    ade20k(tmp.resolve("ADEChallengeData2016"));
    String yaml = spec(tmp, "30m", 3, 8, "--dense", "ade20k:" + tmp.resolve("ADEChallengeData2016"));
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, yaml, "assess.yaml", tmp, Duration.ofMinutes(3), (m, id) -> {});
    String md = report(job);
    int section = md.indexOf("## Assessment");
    assertTrue(section > 0 && section < md.indexOf("## Headline"), "the Assessment comes first:\n" + md);
    assertFalse(md.contains("## Claims"), md);
    assertTrue(md.contains("recaptioning hurts retrieval by "), md);
    assertTrue(md.contains("n = 3 seeds"), md);
    // the frozen probe on the dense set, judged too, and drawn along training for both caption sets
    assertTrue(md.contains("on segmentation") || md.contains("segmentation by"), md);
    assertTrue(md.contains("| segmentation mIoU | "), md);
    assertTrue(md.contains("**Along training**") && md.contains("chart-along-"), md);
    // both caption sets side by side, with thumbnails: the shuffled recaption names another colour for some
    assertTrue(md.contains("**20 caption pairs**"), md);
    assertTrue(Files.isRegularFile(job.tasks().get("report_report").resolve("assess-pair-01.png")), "thumbnail written");
    assertTrue(md.contains("| a photo of the colour "), md);
    // what it cost, measured here, projected to the dataset
    assertTrue(md.contains("Trainer: ") && md.contains("images/s per worker"), md);
    assertTrue(md.contains("an estimated 160 pairs"), md);
    assertTrue(md.contains("one epoch of this CLIP over all 160 pairs would take"), md);
    assertTrue(md.contains("the recaptions were made elsewhere"), md);
    // the probes' measured seconds against the sizing's estimate, which the spec carries
    assertTrue(md.contains("s per frozen probe on average (21 probes, task wall time); the sizing estimated "), md);
    assertTrue(yaml.contains("probeSeconds: "), yaml);
    // the control and the sizing
    assertTrue(md.contains("random-init (untrained)"), md);
    assertTrue(md.contains("proxy: 2 of 2 shards"), md);
  }

  @Test
  void identicalRecaptionsShowNoDetectableDifference(@TempDir Path tmp) throws Exception {
    shards(tmp.resolve("crawl"), false);
    String yaml = spec(tmp, "30m", 2, 6);
    String md = report(EmbeddedJobRun.run(tmp, yaml, "assess.yaml", tmp, Duration.ofMinutes(3), (m, id) -> {}));
    assertTrue(md.contains("no difference detectable on retrieval at this proxy size"), md);
    assertTrue(md.contains("the smallest effect this run could detect is "), md);
    assertFalse(md.contains("recaptioning hurts") || md.contains("recaptioning helps"), md);
  }

  @Test
  void aBudgetTooSmallForEverySeedStopsSchedulingSeedsAndTheReportSaysSo(@TempDir Path tmp) throws Exception {
    shards(tmp.resolve("crawl"), false);
    // one second: the first seed always runs, and once it has the second would overrun
    String yaml = spec(tmp, "1s", 3, 1);
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, yaml, "assess.yaml", tmp, Duration.ofMinutes(3), (m, id) -> {});
    String md = report(job);
    Map<String, Path> tasks = job.tasks();
    assertTrue(tasks.containsKey("pretrain-s1_original-s1"), tasks.keySet().toString());
    assertFalse(tasks.keySet().stream().anyMatch(t -> t.startsWith("pretrain-s2") || t.startsWith("evaluate-s2")
        || t.startsWith("pretrain-s3")), tasks.keySet().toString());
    assertTrue(md.contains("budget: stage pretrain-s2: not started: the budget is 1s"), md);
    assertTrue(md.contains("budget: stage pretrain-s3: skipped because it needs stage 'evaluate-s2'"), md);
    assertTrue(md.contains("the budget stopped the run after 1 seed(s)"), md);
    assertTrue(md.contains("one seed only"), md);
  }

  @Test
  void theCommandMeasuresTheTrainerBeforeSizingAndRunsTheAssessmentItSized(@TempDir Path tmp) throws Exception {
    shards(tmp.resolve("crawl"), false);
    Path plugins = Path.of(System.getProperty("recap.dist", "../target/recap"), "plugins");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RecapCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), "assess", "--shards",
        tmp.resolve("crawl") + "/{00000..00001}.tar", "--captioner", "json:vlm", "--budget", "10m", "--seeds", "1",
        "--workers", "2", "--plugins", plugins.toString(), "--artifacts", tmp.resolve("artifacts").toString(),
        "--state", tmp.resolve("state").toString());
    String said = out.toString();
    assertEquals(RecapCli.OK, code, said + err);
    // the calibration ran first, on the first shard, and its speed sized the proxy
    assertTrue(said.contains("calibrating the trainer: 2 CLIP run(s) of " + AssessCalibration.STEPS + " steps side by side on "
        + tmp.resolve("crawl").resolve("00000.tar")), said);
    Matcher measured = Pattern.compile("calibration: ([0-9.]+) images/s per worker, in (\\S+)")
        .matcher(said);
    assertTrue(measured.find(), said);
    double ips = Double.parseDouble(measured.group(1));
    assertTrue(ips > 0, said);
    String sizing = String.format(Locale.ROOT, "at %.0f images/s per worker (measured here before the job: %d steps on each of 2"
        + " worker(s), %s of the budget)", ips, AssessCalibration.STEPS, measured.group(2));
    assertTrue(said.contains(sizing), said);
    assertTrue(said.indexOf("calibration: ") < said.indexOf("proxy: 2 of 2 shards"), said);
    // then the assessment itself, whose report repeats the sizing
    Path report;
    try (var walk = Files.walk(tmp.resolve("artifacts"))) {
      // task directories are <job>_<stage>_<task>
      report = walk.filter(p -> p.getFileName().toString().endsWith("_report_report")).map(p -> p.resolve("report.md"))
          .filter(Files::exists).findFirst().orElseThrow(
          () -> new AssertionError("no report.md under " + tmp.resolve("artifacts") + "; output: " + said));
    }
    String md = Files.readString(report);
    assertTrue(md.contains("## Assessment"), md);
    assertTrue(md.contains(sizing), md);
    // the calibration's job was not the assessment's, and its files are gone
    assertFalse(md.contains("assess-calibration"), md);
    Matcher journal = Pattern.compile("journal (\\S*recap-calibration-[^/\\s]+)/state/").matcher(said);
    assertTrue(journal.find(), said);
    assertFalse(Files.exists(Path.of(journal.group(1))), journal.group(1));
  }
}
