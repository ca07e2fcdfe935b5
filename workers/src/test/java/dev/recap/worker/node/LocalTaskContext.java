package dev.recap.worker.node;

import dev.recap.api.Extensions;
import java.util.List;
import java.util.Map;

/**
 * The worker's side of a task for handler tests that need no cluster and no plugins: the payload,
 * an artifact store, and the events the handler reports (collected in {@code events}).
 */
public record LocalTaskContext<T>(T payload, ArtifactStore artifacts, List<String> events, String taskId, String stage)
    implements TaskContext<T> {

  @Override
  public String jobId() {
    return "job-1";
  }

  @Override
  public int attempt() {
    return 1;
  }

  @Override
  public long seed() {
    return 7;
  }

  @Override
  public String workerId() {
    return "w1";
  }

  @Override
  public void progress(double fraction, String message) {}

  @Override
  public void metric(String name, double value, Map<String, String> tags) {}

  @Override
  public void event(String message) {
    events.add(message);
  }

  @Override
  public Extensions extensions() {
    throw new UnsupportedOperationException("task " + taskId + " ran with a context that has no plugins");
  }

  @Override
  public boolean isCancelled() {
    return false;
  }
}
