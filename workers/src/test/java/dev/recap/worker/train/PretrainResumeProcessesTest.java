package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recap.api.data.Sample;
import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.bus.task.PretrainTask;
import dev.recap.worker.caption.SidecarWriter;
import dev.recap.worker.node.FileArtifactStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code pretrain} task whose worker JVM is SIGKILLed mid-run is retried (a new JVM, the same
 * task id and so the same directory) and resumes from its checkpoints instead of starting over:
 * the run ends where an undisturbed run ends, bit for bit, with every step once in
 * {@code loss.csv} and in the metrics.
 */
@Timeout(300)
class PretrainResumeProcessesTest {

  private static final int SAMPLES = 32;
  private static final int BATCH = 8;
  private static final int EPOCHS = 6;
  private static final int STEPS = SAMPLES / BATCH * EPOCHS;
  private static final int CHECKPOINT_EVERY = 5; // not a multiple of the 4 steps per epoch: resumes mid-epoch
  /** Snapshots at steps 3, 6, 9, ..., 21: the one at step 3 lies before the checkpoint the retry resumes from. */
  private static final int SNAPSHOTS = 8;

  @Test
  void aSigkilledPretrainTaskResumesFromItsLastGoodCheckpointAndEndsLikeAnUndisturbedRun(@TempDir Path dir)
      throws Exception {
    Path payload = writePayload(dir);
    Path artifacts = dir.resolve("artifacts");
    String task = "job-1/pretrain/clip-s1";
    Path taskDir = FileArtifactStore.taskDirectory(artifacts, "job-1", task);
    Path checkpoints = taskDir.resolve(PretrainHandler.CHECKPOINTS);
    Path metrics = dir.resolve("metrics.csv");

    Process first = start(dir, "attempt-1", task, payload, metrics, 150);
    try {
      // past the second checkpoint (step 10), short of the end
      await(() -> lossSteps(metrics).size() >= 2 * CHECKPOINT_EVERY + 2
          && Files.isDirectory(checkpoints.resolve("step-000000010")), first, dir);
      first.destroyForcibly().waitFor(); // SIGKILL
    } finally {
      first.destroyForcibly();
    }
    int reportedAtKill = lossSteps(metrics).size();
    assertTrue(reportedAtKill < STEPS, "killed before the end, after " + reportedAtKill + " steps");
    // the kill came while the newest checkpoint was being written: damage it, the one before must do
    Path damaged = checkpoints.resolve("step-000000010").resolve(Checkpoint.OPTIMIZER);
    Files.write(damaged, new byte[] {1, 2, 3});

    finish(start(dir, "attempt-2", task, payload, metrics, 0), dir, "attempt-2");
    String log = Files.readString(dir.resolve("attempt-2.log"));
    assertTrue(log.contains("ignoring checkpoint") && log.contains(damaged.toString()),
        "the damaged checkpoint is named:\n" + log);
    assertTrue(log.contains("resuming from checkpoint step-000000005 at step 5"), log);

    Path refMetrics = dir.resolve("reference-metrics.csv");
    String refTask = "job-1/pretrain/reference";
    finish(start(dir, "reference", refTask, payload, refMetrics, 0), dir, "reference");
    Path refDir = FileArtifactStore.taskDirectory(artifacts, "job-1", refTask);

    List<String> loss = Files.readAllLines(taskDir.resolve("loss.csv"));
    List<String> refLoss = Files.readAllLines(refDir.resolve("loss.csv"));
    assertEquals(1 + STEPS, loss.size(), "header + every step once: " + loss);
    for (int s = 0; s < STEPS; s++) {
      String[] got = loss.get(1 + s).split(",");
      String[] want = refLoss.get(1 + s).split(",");
      assertEquals(Integer.toString(s), got[0], "loss.csv in step order without a gap or duplicate");
      assertEquals(want[1], got[1], "step " + s + " trained on the same batch from the same state as undisturbed");
    }
    Map<Integer, Integer> reported = lossSteps(metrics);
    assertEquals(STEPS, reported.size(), "a loss metric for every step: " + reported);
    reported.forEach((s, n) -> assertEquals(1, n, "loss metric of step " + s + " sent " + n + " times over both attempts"));

    assertArrayEquals(Files.readAllBytes(refDir.resolve(TrainedRun.NAME).resolve("clip.params")),
        Files.readAllBytes(taskDir.resolve(TrainedRun.NAME).resolve("clip.params")),
        "the resumed run ends with the undisturbed run's parameters, bit for bit");
    JsonObject result = new JsonObject(Files.readString(taskDir.resolve("result.json")));
    assertEquals(CHECKPOINT_EVERY, result.getJsonObject("metrics").getLong("resumedFromStep"), result.encode());
    assertEquals(STEPS, result.getJsonObject("metrics").getLong("steps"), result.encode());
    assertEquals((long) SAMPLES * EPOCHS, result.getJsonObject("metrics").getLong("pairsSeen"), result.encode());

    // the snapshots: the one before the resumed checkpoint kept from the killed attempt, the rest retrained,
    // all equal to the undisturbed run's
    JsonArray snapshots = result.getJsonArray("snapshots");
    assertEquals(SNAPSHOTS - 1, snapshots.size(), result.encode());
    for (int i = 0; i < snapshots.size(); i++) {
      JsonObject s = snapshots.getJsonObject(i);
      long step = s.getLong("step");
      assertEquals(3L * (i + 1), step, "evenly spaced: " + snapshots.encode());
      // 4 steps of 8 make an epoch of 32 pairs
      assertEquals(step / 4 * SAMPLES + step % 4 * BATCH, s.getLong("pairsSeen"), "pairs seen at step " + step);
      Path snapshot = Path.of(s.getString("path"));
      assertEquals(taskDir.resolve(String.format("snapshot-step-%06d", step)), snapshot);
      assertArrayEquals(Files.readAllBytes(refDir.resolve(snapshot.getFileName()).resolve("clip.params")),
          Files.readAllBytes(snapshot.resolve("clip.params")), "snapshot at step " + step + " as in the undisturbed run");
      JsonObject description = TrainedRun.description(snapshot);
      assertEquals(step, description.getLong("step"));
      assertTrue(description.getBoolean("snapshot"), description.encode());
    }
    assertTrue(Files.readString(dir.resolve("attempt-2.log")).contains("kept a snapshot of run 'clip' at step 6"),
        "the retry wrote the snapshots after its checkpoint again");
    assertFalse(Files.readString(dir.resolve("attempt-2.log")).contains("at step 3 "),
        "the snapshot before the checkpoint came from the first attempt");
  }

  private static Path writePayload(Path dir) throws IOException {
    List<Path> shards = PairShards.write(dir.resolve("shards"), SAMPLES, SAMPLES, 16, 3);
    Files.writeString(dir.resolve("shards").resolve("shard.json"), new JsonObject().put("count", SAMPLES).encode());
    Path sidecar = dir.resolve("captions").resolve("quality.avro");
    Files.createDirectories(sidecar.getParent());
    try (SidecarWriter writer = SidecarWriter.open(sidecar)) {
      for (int i = 0; i < SAMPLES; i++) {
        Sample s = PairShards.sample(i, 16, 3);
        writer.write(new CaptionSidecarRecord(s.key(), s.captions().get(Sample.QUALITY), "test", "1", null));
      }
      writer.commit();
    }
    ClipRunSpec spec = new ClipRunSpec("clip", "test-conv", Map.of("channels", 8), "test-bag",
        Map.of("width", 32, "context", 8), 16, 16, BATCH, EPOCHS, 0, 0.01, 2, 1.0, 0.75, 16, 1);
    PretrainTask task = PretrainTask.newBuilder().setRun("clip").setSeed(1).setObjective("clip").setCaptions("quality")
        .setShards(shards.stream().map(Path::toString).toList()).setSidecars(List.of(sidecar.toString()))
        .setSpec(spec.toJson()).setCheckpointEvery(CHECKPOINT_EVERY).setSnapshots(SNAPSHOTS).build();
    Path payload = dir.resolve("payload.avro");
    Files.write(payload, task.toByteBuffer().array());
    return payload;
  }

  /** step -> how many loss metrics were sent for it. */
  private static Map<Integer, Integer> lossSteps(Path metrics) {
    Map<Integer, Integer> steps = new TreeMap<>();
    try {
      if (!Files.isRegularFile(metrics)) {
        return steps;
      }
      for (String line : Files.readAllLines(metrics)) {
        String[] f = line.split(",");
        if (f.length == 3 && f[0].equals("loss")) {
          steps.merge(Integer.parseInt(f[1]), 1, Integer::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      // a line being written: read again on the next poll
    }
    return steps;
  }

  static Process start(Path dir, String name, String task, Path payload, Path metrics, long delayMillis)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "-Xmx512m",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
        TaskProcessMain.class.getName(), "pretrain", dir.resolve("artifacts").toString(), "job-1", task,
        payload.toString(), metrics.toString(), String.valueOf(delayMillis)));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private static void await(BooleanSupplier condition, Process p, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
    while (!condition.getAsBoolean()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        fail("the attempt exited or stalled:\n" + Files.readString(dir.resolve("attempt-1.log")));
      }
      Thread.sleep(10);
    }
  }

  private static void finish(Process p, Path dir, String name) throws Exception {
    if (!p.waitFor(200, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      fail(name + " did not finish cleanly:\n" + Files.readString(dir.resolve(name + ".log")));
    }
  }
}
