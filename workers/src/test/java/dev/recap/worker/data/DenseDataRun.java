package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.DenseDataTask;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.LocalTaskContext;
import java.nio.file.Path;
import java.util.List;

/** Runs the dense-data task outside a worker node, as tests need it: a file artifact store, events collected. */
public final class DenseDataRun {

  private DenseDataRun() {}

  /**
   * Indexes {@code split} of the benchmark at {@code root} into {@code artifacts}; checks the task
   * declared its {@code dense-index} and its {@code data-summary}, and returns the index read back.
   */
  public static DenseIndex index(Path artifacts, String format, Path root, String split, int limit, List<String> events)
      throws Exception {
    String taskId = "job-1/bench/" + split + "-" + limit + "-" + root.getFileName();
    FileArtifactStore store = new FileArtifactStore(artifacts, "job-1", taskId);
    new DenseDataHandler().execute(new LocalTaskContext<>(new DenseDataTask(format, root.toString(), split, limit), store, events,
        taskId, "bench"));
    List<DeclaredOutput> declared = store.declared();
    assertEquals(List.of(OutputKind.DENSE_INDEX.wireName(), OutputKind.DATA_SUMMARY.wireName()),
        declared.stream().map(DeclaredOutput::getKind).toList());
    Path index = Path.of(declared.get(0).getPath());
    assertTrue(DenseIndex.isIndex(index));
    return DenseIndex.read(index);
  }
}
