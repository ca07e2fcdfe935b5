package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.coordinator.testing.PluginJar;
import dev.recap.worker.data.ImageFormat;
import dev.recap.worker.data.WebDatasetWriter;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code pretrain-gang} job across real processes on loopback: a coordinator JVM and two
 * worker JVMs (two task slots each) training the workers' tiny test-fixture CLIP (packed into a plugin
 * jar here) on shards this test writes. The coordinator is SIGKILLed after the run's first
 * checkpoint and restarted from the same journal; the job must finish with every step of the
 * run trained once and every sample of every epoch committed exactly once.
 *
 * <p>The stage has three member slots for two workers: one worker holds two, and one of those
 * waits as a standby (a worker is on a run's roster once). The restarted coordinator re-plans the
 * stage from its journal and adopts the three running slots from the workers' heartbeats; it
 * must not lease them again to a free task slot (that would revoke a running member and lose an
 * attempt).
 */
class GangCoordinatorRestartTest {

  private static final int SAMPLES = 32;
  private static final int BATCH = 8;
  private static final int EPOCHS = 50;
  private static final int STEPS = SAMPLES / BATCH * EPOCHS;

  @TempDir
  Path tmp;

  private ProcessCluster cluster;

  @BeforeEach
  void cluster() {
    cluster = new ProcessCluster(tmp, "recap-gang-", "384m", 120);
  }

  @AfterEach
  void killAll() {
    cluster.close();
  }

  @Test
  void aCoordinatorKilledMidRunIsRestartedAndTheRunResumesFromItsLastCommit() throws Exception {
    Path state = tmp.resolve("state");
    Path artifacts = tmp.resolve("artifacts");
    Path plugins = fixturePlugin(tmp.resolve("plugins"));
    List<Path> shards = writeShards(tmp.resolve("shards"));
    String api = cluster.startCoordinator(state, "c1");
    Process c1 = cluster.last();
    String clusterAddress = new JsonObject(Files.readString(state.resolve("coordinator.json"))).getString("cluster");
    cluster.startWorker(clusterAddress, "w1", plugins);
    cluster.startWorker(clusterAddress, "w2", plugins);
    String workerAddress = cluster.awaitLine(tmp.resolve("w1.log"), "joined cluster", 120).replaceAll(".* at ", "").trim();
    cluster.await("two workers", () -> cluster.get(api, "/api/workers").getJsonArray("workers").size() == 2, 120);

    String jobId = cluster.submit(api, "name: gang-restart\noutput: " + artifacts + "\nleaseSeconds: 10\nstages:\n"
        + "  - name: gang\n    kind: pretrain-gang\n    workers: 3\n    minWorkers: 2\n"
        + "    shards: [" + String.join(", ", shards.stream().map(Path::toString).toList()) + "]\n"
        + "    encoder: test-conv\n    encoderConfig: {channels: 8}\n    text: test-bag\n"
        + "    textConfig: {width: 32, context: 8}\n    embedDim: 16\n    imageSize: 16\n    batchSize: " + BATCH + "\n"
        + "    epochs: " + EPOCHS + "\n    stepsPerRange: 4\n    checkpointEvery: 4\n    checksumEvery: 4\n"
        + "    learningRate: 0.01\n    warmupSteps: 2\n    operationTimeoutSeconds: 30\n");
    Path jobDir = artifacts.resolve(jobId);
    Path checkpoints = jobDir.resolve("gang-checkpoints");
    cluster.await("the run's first checkpoint", () -> Files.exists(checkpoints.resolve("LATEST")), 180);
    c1.destroyForcibly(); // SIGKILL
    c1.waitFor();
    long committedAtKill = committedKeys(jobDir) / BATCH; // a lower bound of the commit head
    assertTrue(committedAtKill >= 4, "killed after a commit: " + committedAtKill + " steps committed");

    Files.delete(state.resolve("coordinator.json"));
    String api2 = cluster.startCoordinator(state, "c2", "--join", workerAddress);
    boolean finishedBeforeRestart = Files.exists(jobDir) && memberDirs(jobDir).stream()
        .anyMatch(d -> Files.exists(d.resolve("result.json")));
    long committedAtRestart = committedKeys(jobDir) / BATCH;
    JsonObject done = cluster.awaitJob(api2, jobId, 300);
    assertEquals("SUCCEEDED", done.getString("state"), done.encode() + cluster.logs());
    assertEquals(3, done.getInteger("tasksDone"), "all three member slots");
    assertFalse(finishedBeforeRestart, "the run was still going when the new coordinator came up (lengthen it if not)");
    List<String> lost = Files.readAllLines(state.resolve("journal.jsonl")).stream()
        .filter(l -> l.contains("\"attempt-failed\"")).toList();
    System.out.println("gang restart: " + committedAtKill + " of " + STEPS + " steps committed at the kill, "
        + committedAtRestart + " when the new coordinator was up; lost attempts: " + lost);
    assertEquals(List.of(), lost, "the running slots were adopted, none lost or leased twice");

    // the run's outputs, as a pretrain task leaves them, from the slot that was rank 0 at the end
    List<Path> members = memberDirs(jobDir);
    List<Path> finals = members.stream().filter(d -> Files.exists(d.resolve("result.json"))).toList();
    assertEquals(1, finals.size(), "one slot writes the run's result: " + members);
    JsonObject result = new JsonObject(Files.readString(finals.get(0).resolve("result.json")));
    assertEquals(STEPS, result.getJsonObject("metrics").getLong("steps"), result.encode());
    assertTrue(result.getDouble("wallSeconds") > 0, result.encode());
    assertTrue(Files.size(finals.get(0).resolve("model/encoder.params")) > 0);
    Map<Long, Integer> lossSteps = new TreeMap<>();
    List<String> loss = Files.readAllLines(finals.get(0).resolve("loss.csv"));
    for (String line : loss.subList(1, loss.size())) {
      lossSteps.merge(Long.parseLong(line.split(",")[0]), 1, Integer::sum);
    }
    assertEquals(STEPS, lossSteps.size(), "loss.csv has every step of the run");
    lossSteps.forEach((s, n) -> assertEquals(1, n, "step " + s + " in loss.csv"));

    // every sample of every epoch committed exactly once, over all slots' samples.txt
    Map<String, Integer> seen = new HashMap<>();
    for (Path d : members) {
      for (String key : Files.readAllLines(d.resolve("samples.txt"))) {
        seen.merge(key, 1, Integer::sum);
      }
    }
    seen.forEach((k, n) -> assertEquals(1, n, k + " committed " + n + " times" + cluster.logs()));
    assertEquals(STEPS * BATCH, seen.size(), "committed (epoch, sample) keys");
    for (int e = 0; e < EPOCHS; e++) {
      String prefix = "epoch-" + e + "/";
      assertEquals(SAMPLES, seen.keySet().stream().filter(k -> k.startsWith(prefix)).count(), "samples of epoch " + e);
    }

    // resumed, not restarted: no slot trained a step before the kill's commit head twice
    for (Path d : members) {
      Map<Long, Integer> trained = new TreeMap<>();
      List<String> lines = Files.readAllLines(d.resolve("member-loss.csv"));
      for (String line : lines.subList(1, lines.size())) {
        trained.merge(Long.parseLong(line.split(",")[0]), 1, Integer::sum);
      }
      trained.forEach((s, n) -> assertTrue(s >= committedAtKill || n == 1,
          d.getFileName() + " trained step " + s + " (committed before the kill) " + n + " times"));
    }
  }

  // ---- fixtures ------------------------------------------------------------------------------

  /**
   * The workers' test encoders ({@code test-conv}, {@code test-bag}) as a PF4J plugin jar: their
   * class files (unpacked from the workers' test-jar into this module's build directory by the
   * build), a manifest and an extension index.
   */
  static Path fixturePlugin(Path dir) throws IOException {
    Path classes = Path.of("target", "gang-fixture-classes");
    Path pkg = classes.resolve("dev/recap/worker/train");
    assertTrue(Files.isRegularFile(pkg.resolve("ConvImageEncoderFixture.class")),
        "the workers' test encoders are unpacked into " + classes.toAbsolutePath()
            + " by the build (mvn -pl coordinator -am verify)");
    Map<String, Path> classFiles = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path f : files.sorted().toList()) {
        classFiles.put("dev/recap/worker/train/" + f.getFileName(), f);
      }
    }
    PluginJar.write(dir, "gang-fixtures", "0.1.0", "recap tests", null, classFiles,
        List.of("dev.recap.worker.train.ConvImageEncoderFixture", "dev.recap.worker.train.BagTextEncoderFixture"));
    return dir;
  }

  /** Coloured squares captioned with colour and place, in two shards. */
  static List<Path> writeShards(Path dir) throws IOException {
    String[] colours = {"red", "green", "blue", "yellow"};
    String[] places = {"top left", "top right", "bottom left", "bottom right"};
    int[][] rgb = {{230, 30, 30}, {30, 230, 30}, {30, 30, 230}, {230, 230, 30}};
    int size = 16;
    List<Path> shards = new ArrayList<>();
    for (int shard = 0; shard < 2; shard++) {
      Path path = dir.resolve("pairs-" + shard + ".tar");
      try (WebDatasetWriter writer = new WebDatasetWriter(path, ImageFormat.PNG)) {
        for (int i = shard * SAMPLES / 2; i < (shard + 1) * SAMPLES / 2; i++) {
          int cls = i % 16;
          Random random = new Random(i);
          byte[] pixels = new byte[size * size * 3];
          int x0 = (cls / 4) % 2 * size / 2;
          int y0 = (cls / 4) / 2 * size / 2;
          for (int p = 0; p < size * size; p++) {
            int x = p % size;
            int y = p / size;
            boolean inside = x >= x0 && x < x0 + size / 2 && y >= y0 && y < y0 + size / 2;
            for (int c = 0; c < 3; c++) {
              pixels[p * 3 + c] = (byte) Math.max(0, Math.min(255, (inside ? rgb[cls % 4][c] : 128) + random.nextInt(21) - 10));
            }
          }
          String caption = "a " + colours[cls % 4] + " square at the " + places[cls / 4];
          writer.write(new Sample(String.format(Locale.ROOT, "sample-%05d", i), new RgbImage(size, size, pixels),
              Map.of(Sample.ALT, caption), List.of(), null, null));
        }
      }
      shards.add(path);
    }
    return shards;
  }

  static List<Path> memberDirs(Path jobDir) throws IOException {
    try (Stream<Path> dirs = Files.list(jobDir)) {
      return dirs.filter(d -> d.getFileName().toString().contains("member-")).sorted().toList();
    }
  }

  private static long committedKeys(Path jobDir) throws IOException {
    long n = 0;
    for (Path d : memberDirs(jobDir)) {
      Path samples = d.resolve("samples.txt");
      n += Files.exists(samples) ? Files.readAllLines(samples).size() : 0;
    }
    return n;
  }
}
