package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.recap.api.Extensions;
import dev.recap.bus.task.PretrainGangTask;
import dev.recap.worker.exchange.LoopbackCluster;
import dev.recap.worker.node.ArtifactStore;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.TaskContext;
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

/** Two member slots of one run, each executed by the handler as a worker node would. */
@Timeout(120)
class PretrainGangHandlerTest {

  @Test
  void twoSlotsTrainTheRunTogetherAndWriteTheirCommittedSamples(@TempDir Path root) throws Exception {
    PretrainGangTask.Builder payload = PretrainGangTask.newBuilder().setRunId("job-9/pretrain").setTotalSteps(6)
        .setStepsPerRange(3).setGlobalBatch(8).setSamples(32).setImageSize(16).setImageEncoder("test-conv")
        .setImageConfig(Map.of("channels", "8")).setTextEncoder("test-bag")
        .setTextConfig(Map.of("width", "32", "context", "8")).setEmbedDim(16).setMinWorkers(2).setMaxWorkers(2)
        .setChecksumEvery(2).setCheckpointEvery(3);
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
        f.get(100, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Map<String, Integer> seen = new HashMap<>();
    for (ArtifactStore s : stores) {
      for (String key : Files.readAllLines(s.directory().resolve("samples.txt"))) {
        seen.merge(key, 1, Integer::sum);
      }
      assertEquals(1 + 6, Files.readAllLines(s.directory().resolve("loss.csv")).size(), "header + 6 steps");
    }
    assertEquals(6 * 8, seen.size(), "every sample of the 6 steps x 8");
    seen.forEach((k, n) -> assertEquals(1, n, k));
    assertEquals(12, metrics.stream().filter(m -> m.startsWith("loss ")).count(), "a loss metric per step and slot");
    assertTrue(Files.isRegularFile(root.resolve("job-9").resolve("pretrain-checkpoints").resolve("LATEST")),
        "checkpoints beside the slots' directories");
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
