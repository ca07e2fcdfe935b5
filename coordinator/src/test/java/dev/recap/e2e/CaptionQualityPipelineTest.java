package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.run.JobStatus;
import dev.recap.coordinator.spec.SpecProfiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job {@code caption-quality.yaml} with its {@code quick} profile (toy sizes, one
 * seed) on the embedded default: a coordinator and two workers in this JVM, the distribution's
 * plugin jars. Every stage must leave its outputs, and every pretrain and evaluate task a
 * {@code result.json} of the result convention.
 */
class CaptionQualityPipelineTest {

  static final Path SPEC = Path.of("src/main/dist/examples/caption-quality.yaml");

  @Test
  void quickProfileRunsEveryStageAndWritesEveryResult(@TempDir Path tmp) throws Exception {
    String yaml = SpecProfiles.apply(Files.readString(SPEC), "quick", SPEC.toString());
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, yaml, "caption-quality.yaml --quick", Duration.ofMinutes(4));
    JobStatus done = job.done();
    assertEquals("SUCCEEDED", done.state(), () -> "job failed: " + done.cause());
    Map<String, Path> tasks = job.tasks();
    // synth-data: 256 pairs in shards of 128, held-out pairs, dense splits; no reference shard (no captioner trains)
    assertFalse(tasks.containsKey("data_reference-00000"), "a reference shard nothing trains on");
    for (String t : List.of("data_pairs-00000", "data_pairs-00001", "data_heldout-00000")) {
      assertTrue(Files.size(tasks.get(t).resolve("shard.tar")) > 0, t);
      assertTrue(Files.exists(tasks.get(t).resolve("shard.json")), t);
    }
    for (String t : List.of("data_dense-train", "data_dense-test")) {
      assertFalse(list(tasks.get(t).resolve("dense/seg/annotations")).isEmpty(), t);
      assertFalse(list(tasks.get(t).resolve("dense/depth/depth")).isEmpty(), t);
    }
    // curate: every (source x shard) captioned all 128 samples of its shard into a sidecar
    for (String source : List.of("alt-text", "grounded")) {
      for (String shard : List.of("00000", "00001")) {
        Path dir = tasks.get("curate_" + source + "-" + shard);
        assertTrue(Files.size(dir.resolve("captions.avro")) > 0, source + shard);
        JsonObject stats = json(dir.resolve("stats.json"));
        assertEquals(128, stats.getLong("samples"), source + shard);
        assertEquals(128, stats.getLong("captionsWritten") + stats.getLong("withoutCaption"), source + shard);
      }
    }
    assertTrue(json(tasks.get("curate_grounded-00000").resolve("stats.json")).getLong("captionsWritten") == 128,
        "the grounded captioner writes a caption for every synthetic scene");
    // pretrain: one task per run (one seed), each with encoder weights, loss curve and result
    List<String> runs = List.of("vit-alt", "vit-grounded", "mci-grounded", "vit-mae", "vit-random");
    for (String run : runs) {
      Path dir = tasks.get("pretrain_" + run + "-s1");
      assertTrue(Files.size(dir.resolve("model/encoder.params")) > 0, run);
      JsonObject result = json(dir.resolve("result.json"));
      assertEquals("pretrain", result.getString("protocol"));
      assertEquals(run, result.getString("run"));
      assertTrue(result.getLong("parameters") > 0, run);
      List<String> loss = Files.readAllLines(dir.resolve("loss.csv"));
      assertEquals("step,loss,logit_scale,lr,images_per_sec", loss.get(0));
      assertEquals(run.equals("vit-random") ? 1 : 5, loss.size(), run + ": 256 pairs / batch 64 = 4 steps");
    }
    assertTrue(json(tasks.get("pretrain_vit-grounded-s1").resolve("result.json")).getLong("parameters")
        > json(tasks.get("pretrain_mci-grounded-s1").resolve("result.json")).getLong("parameters"));
    // evaluate: 5 runs x (frozen 1 + finetune 2 fractions) x 2 tasks, plus retrieval for the 3 clip runs
    int dense = 0;
    int retrieval = 0;
    for (Map.Entry<String, Path> e : tasks.entrySet()) {
      if (!e.getKey().startsWith("evaluate_")) {
        continue;
      }
      JsonObject result = json(e.getValue().resolve("result.json"));
      JsonObject metrics = result.getJsonObject("metrics");
      switch (result.getString("task")) {
        case "segmentation" -> {
          dense++;
          double miou = metrics.getDouble("mIoU");
          assertTrue(miou >= 0 && miou <= 1, e.getKey() + " mIoU " + miou);
          assertEquals(9, result.getJsonObject("perClassIoU").size(), e.getKey());
        }
        case "depth" -> {
          dense++;
          assertTrue(metrics.getDouble("rmse") > 0, e.getKey());
          assertTrue(metrics.containsKey("absRel"), e.getKey());
        }
        case "retrieval" -> {
          retrieval++;
          assertTrue(metrics.getDouble("r1") >= 0 && metrics.getDouble("r5") >= metrics.getDouble("r1"), e.getKey());
          assertEquals(64, metrics.getInteger("pairs"));
        }
        default -> throw new AssertionError("unexpected task in " + e.getKey());
      }
      for (Object image : result.getJsonArray("images")) {
        assertTrue(Files.size(e.getValue().resolve(((JsonObject) image).getString("file"))) > 0, e.getKey());
      }
    }
    assertEquals(runs.size() * 3 * 2, dense);
    assertEquals(3, retrieval);
    // report: built from the result.json files above, one row per run, the claims judged
    Path report = tasks.get("report_report");
    assertTrue(report != null && Files.exists(report.resolve("report.md")), "the report stage wrote no report.md");
    assertTrue(Files.exists(report.resolve("report.html")), "the report stage wrote no report.html");
    String md = Files.readString(report.resolve("report.md"));
    for (String run : runs) {
      assertTrue(md.contains(run), "report.md has no row for " + run);
    }
    assertTrue(md.contains("(a)") && md.contains("(b)") && md.contains("(c)"), "report.md does not judge the three claims");
    // every headline number of every evaluation is in its run's row of the comparison table, as
    // the result.json has it (one seed: the mean is the value)
    int checked = 0;
    for (Map.Entry<String, Path> e : tasks.entrySet()) {
      if (!e.getKey().startsWith("evaluate_")) {
        continue;
      }
      JsonObject result = json(e.getValue().resolve("result.json"));
      String metric = switch (result.getString("task")) {
        case "segmentation" -> "mIoU";
        case "depth" -> "rmse";
        default -> "r1";
      };
      // the full comparison table's row (cells carry their seed count; the headline table states it once)
      String row = md.lines().filter(l -> l.startsWith("| " + result.getString("run") + " |") && l.contains(" (n="))
          .findFirst().orElseThrow(() -> new AssertionError("report.md has no comparison row for " + result.getString("run")));
      String value = reportFormat(result.getJsonObject("metrics").getDouble(metric)) + " (n=1)";
      assertTrue(row.contains(value), e.getKey() + ": " + metric + " " + value + " not in the report row " + row);
      checked++;
    }
    assertEquals(runs.size() * 3 * 2 + 3, checked);
    assertFalse(md.contains("already reported"), "report.md lists values hidden by others");

    // every output the coordinator received is declared with the size and checksum of what is on disk,
    // and every result it received is the task's result.json
    assertEquals(done.tasksTotal(), job.declared().size());
    int files = 0;
    for (Map.Entry<String, TaskOutputs> task : job.declared().entrySet()) {
      assertFalse(task.getValue().declared().isEmpty(), task.getKey() + " declared nothing");
      for (DeclaredOutput d : task.getValue().declared()) {
        Path p = Path.of(d.getPath());
        OutputKind.ofWireName(d.getKind());
        byte[][] measured = measure(p);
        assertEquals(d.getSizeBytes(), java.nio.ByteBuffer.wrap(measured[0]).getLong(), d.getPath());
        assertEquals(HexFormat.of().formatHex(measured[1]), d.getSha256(), d.getPath());
        if (d.getKind().equals(OutputKind.RUN_RESULT.wireName())) {
          assertEquals(Files.readString(p), task.getValue().result(), task.getKey());
        }
        files++;
      }
    }
    assertTrue(files > job.declared().size(), "more than one output per task: " + files);
  }

  /**
   * Size (8 bytes) and SHA-256 of a file, or of a directory as docs/pipeline.md defines it: its
   * files by relative path, each as path, a zero byte, its size and its bytes.
   */
  private static byte[][] measure(Path p) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long size = 0;
    if (Files.isDirectory(p)) {
      List<String> names;
      try (Stream<Path> walk = Files.walk(p)) {
        names = walk.filter(Files::isRegularFile).map(f -> p.relativize(f).toString()).sorted().toList();
      }
      for (String name : names) {
        byte[] bytes = Files.readAllBytes(p.resolve(name));
        size += bytes.length;
        digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(java.nio.ByteBuffer.allocate(8).putLong(bytes.length).array());
        digest.update(bytes);
      }
    } else {
      byte[] bytes = Files.readAllBytes(p);
      size = bytes.length;
      digest.update(bytes);
    }
    return new byte[][] {java.nio.ByteBuffer.allocate(8).putLong(size).array(), digest.digest()};
  }

  /** The report's number format (dev.recap.worker.report.Numbers), restated so a change to either is caught. */
  private static String reportFormat(double v) {
    double a = Math.abs(v);
    if (a != 0 && (a >= 1e5 || a < 1e-3)) {
      return String.format(java.util.Locale.ROOT, "%.3e", v);
    }
    return String.format(java.util.Locale.ROOT, a >= 100 ? "%.1f" : "%.4f", v);
  }

  private static JsonObject json(Path file) throws IOException {
    return new JsonObject(Files.readString(file));
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
