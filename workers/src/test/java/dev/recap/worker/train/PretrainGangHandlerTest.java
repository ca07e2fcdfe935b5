package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.recap.api.Extensions;
import dev.recap.bus.task.PretrainGangTask;
import dev.recap.worker.exchange.LoopbackCluster;
import dev.recap.worker.node.ArtifactStore;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.TaskContext;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two member slots of one run on shards, each executed by the handler as a worker node would;
 * the slot that was rank 0 at the end leaves what an {@code evaluate} task reads of a
 * {@code pretrain} task.
 */
@Timeout(180)
class PretrainGangHandlerTest {

  @Test
  void twoSlotsTrainTheRunTogetherOnTheShardsAndLeaveAPretrainTasksOutputs(@TempDir Path root) throws Exception {
    List<Path> shards = PairShards.write(root.resolve("data"), 24, 10, 16, 3); // 24 pairs in shards of 10, 10, 4
    ClipRunSpec spec = new ClipRunSpec("clip", "test-conv", Map.of("channels", 8), "test-bag",
        Map.of("width", 32, "context", 8), 16, 16, 8, 2, 0, 0.01, 2, 1.0, 0.75, 16, 1);
    PretrainGangTask.Builder payload = PretrainGangTask.newBuilder().setRunId("job-9/pretrain").setRun("gang-run")
        .setSeed(5).setSpec(spec.toJson()).setShards(shards.stream().map(Path::toString).toList())
        .setStepsPerRange(3).setMinWorkers(2).setMaxWorkers(2).setChecksumEvery(2).setCheckpointEvery(3);
    List<String> metrics = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<ArtifactStore> stores = new ArrayList<>();
    try (LoopbackCluster cluster = new LoopbackCluster().start(2)) {
      List<Future<?>> runs = new ArrayList<>();
      for (int slot = 0; slot < 2; slot++) {
        PretrainGangTask task = payload.setSlot(slot).build();
        ArtifactStore store = new FileArtifactStore(root, "job-9", "job-9/pretrain/member-0" + slot);
        stores.add(store);
        Context context = new Context(task, store, cluster.members.get(slot), metrics);
        runs.add(pool.submit(() -> {
          new PretrainGangHandler().execute(context);
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get(150, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // 24 samples / batch 8 = 3 steps per epoch, 2 epochs = 6 steps
    Map<String, Integer> seen = new HashMap<>();
    List<ArtifactStore> finals = new ArrayList<>();
    for (ArtifactStore s : stores) {
      for (String key : Files.readAllLines(s.directory().resolve("samples.txt"))) {
        seen.merge(key, 1, Integer::sum);
      }
      assertEquals(1 + 6, Files.readAllLines(s.directory().resolve("member-loss.csv")).size(), "header + 6 steps");
      List<String> kinds = s.declared().stream().map(d -> d.getKind()).toList();
      assertTrue(kinds.containsAll(List.of("log")), kinds.toString());
      if (kinds.contains("trained-run")) {
        finals.add(s);
      }
    }
    assertEquals(2 * 24, seen.size(), "every sample of both epochs: " + seen.keySet());
    seen.forEach((k, n) -> assertEquals(1, n, k));
    assertTrue(seen.keySet().stream().allMatch(k -> k.matches("epoch-[01]/sample-\\d{5}")), seen.keySet().toString());
    assertEquals(12, metrics.stream().filter(m -> m.startsWith("loss ")).count(), "a loss metric per step and slot");
    assertTrue(Files.isRegularFile(root.resolve("job-9").resolve("pretrain-checkpoints").resolve("LATEST")),
        "checkpoints beside the slots' directories");

    assertEquals(1, finals.size(), "exactly one slot (rank 0 of the last gang) writes the run's outputs");
    ArtifactStore last = finals.get(0);
    Path dir = last.directory();
    JsonObject result = new JsonObject(Files.readString(dir.resolve("result.json")));
    assertEquals(result, new JsonObject(last.result()), "the result the task's message carries is the file's");
    assertEquals("gang-run", result.getString("run"));
    assertEquals("pretrain", result.getString("protocol"));
    assertEquals("alt", result.getString("captions"));
    assertTrue(result.getDouble("wallSeconds") > 0, result.encode());
    assertEquals(6, result.getJsonObject("metrics").getLong("steps"));
    List<String> loss = Files.readAllLines(dir.resolve("loss.csv"));
    assertEquals(1 + 6, loss.size(), "every committed step of the run: " + loss);
    assertTrue(loss.get(0).startsWith("step,loss,"), loss.get(0));
    // what EvaluateHandler does with the trained-run directory the slot declared
    Path trained = Path.of(last.declared().stream().filter(d -> d.getKind().equals("trained-run")).findFirst().orElseThrow().getPath());
    assertEquals(dir.resolve(TrainedRun.NAME), trained);
    ClipRunSpec read = ClipRunSpec.fromJson(Files.readString(trained.resolve("run.json")));
    assertEquals(spec, read);
    ClipRunFactory factory = new ClipRunFactory(read, Extensions.of(new ConvImageEncoderFixture(), new BagTextEncoderFixture()));
    try (NDManager manager = NDManager.newBaseManager()) {
      var tower = factory.initializedImageTower(manager, 1);
      try (DataInputStream in = new DataInputStream(Files.newInputStream(trained.resolve("encoder.params")))) {
        tower.block().loadParameters(manager, in);
      }
      assertEquals(result.getLong("parameters"), ClipRunFactory.parameterCount(tower.block()));
      ClipModel model = factory.clipModel(manager, factory.textEncoder().loadTokenizer(trained.resolve("tokenizer")), 1);
      long untrained = ClipTrainer.checksum(model.parameterList());
      try (DataInputStream in = new DataInputStream(Files.newInputStream(trained.resolve("clip.params")))) {
        model.restoreParameters(manager, in);
      }
      // the restored CLIP holds the parameters the gang trained: the final checkpoint recorded
      // their checksum from the live trainer after step 6
      Checkpoint checkpoint = Checkpoint.latest(root.resolve("job-9").resolve("pretrain-checkpoints")).orElseThrow();
      assertEquals(6, checkpoint.step());
      long restored = ClipTrainer.checksum(model.parameterList());
      assertNotEquals(untrained, restored, "clip.params must hold trained, not freshly initialized, parameters");
      assertEquals(checkpoint.parameterChecksum(), restored, "clip.params restores the parameters of the last step");
      // encoder.params is the image tower of that same CLIP
      assertArrayEquals(flat(model.imageTower().block()), flat(tower.block()),
          "encoder.params holds the restored CLIP's image tower");
    }
  }

  private static float[] flat(Block block) {
    List<float[]> parts = block.getParameters().values().stream().map(p -> p.getArray().toFloatArray()).toList();
    float[] out = new float[parts.stream().mapToInt(a -> a.length).sum()];
    int offset = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }

  private record Context(PretrainGangTask payload, ArtifactStore artifacts, HazelcastInstance hazelcast,
      List<String> metrics) implements TaskContext<PretrainGangTask> {
    @Override
    public String jobId() {
      return "job-9";
    }

    @Override
    public String taskId() {
      return "job-9/pretrain/member-0" + payload.getSlot();
    }

    @Override
    public String stage() {
      return "pretrain";
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public long seed() {
      return 1;
    }

    @Override
    public String workerId() {
      return "w" + payload.getSlot();
    }

    @Override
    public void progress(double fraction, String message) {}

    @Override
    public void metric(String name, double value, Map<String, String> tags) {
      metrics.add(name + " " + tags);
    }

    @Override
    public void event(String message) {}

    @Override
    public Extensions extensions() {
      return Extensions.of(new ConvImageEncoderFixture(), new BagTextEncoderFixture());
    }

    @Override
    public boolean isCancelled() {
      return false;
    }
  }
}
