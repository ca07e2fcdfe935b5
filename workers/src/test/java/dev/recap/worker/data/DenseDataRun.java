package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.DenseDataTask;
import dev.recap.worker.node.ArtifactStore;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.TaskContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the dense-data task outside a worker node, as tests need it: a file artifact store, events collected. */
public final class DenseDataRun {

  private DenseDataRun() {}

  private record Context(DenseDataTask payload, ArtifactStore artifacts, List<String> events)
      implements TaskContext<DenseDataTask> {
    public String jobId() {
      return "job-1";
    }

    public String taskId() {
      return "job-1/bench/" + payload.getSplit();
    }

    public String stage() {
      return "bench";
    }

    public int attempt() {
      return 1;
    }

    public long seed() {
      return 1;
    }

    public String workerId() {
      return "w1";
    }

    public void progress(double fraction, String message) {}

    public void metric(String name, double value, Map<String, String> tags) {}

    public void event(String message) {
      events.add(message);
    }

    public Extensions extensions() {
      throw new UnsupportedOperationException("indexing uses no plugins");
    }

    public boolean isCancelled() {
      return false;
    }
  }

  /**
   * Indexes {@code split} of the benchmark at {@code root} into {@code artifacts}; checks the task
   * declared exactly one {@code dense-index}, and returns it read back.
   */
  public static DenseIndex index(Path artifacts, String format, Path root, String split, int limit, List<String> events)
      throws Exception {
    Context c = new Context(new DenseDataTask(format, root.toString(), split, limit),
        new FileArtifactStore(artifacts, "job-1", "job-1/bench/" + split + "-" + limit + "-" + root.getFileName()), events);
    new DenseDataHandler().execute(c);
    List<DeclaredOutput> declared = c.artifacts().declared();
    assertEquals(1, declared.size(), declared.toString());
    assertEquals(OutputKind.DENSE_INDEX.wireName(), declared.get(0).getKind());
    Path index = Path.of(declared.get(0).getPath());
    assertTrue(DenseIndex.isIndex(index));
    return DenseIndex.read(index);
  }
}
