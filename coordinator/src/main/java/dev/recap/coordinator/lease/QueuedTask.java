package dev.recap.coordinator.lease;

import java.util.Set;

/**
 * A task waiting for a worker, as the lease table sees it.
 *
 * @param attemptsMade attempts already started (and lost or failed)
 * @param requiredPlugins extension ids the worker must advertise, each as {@code id} or {@code id@version}
 * @param taskType the worker must have a handler for it
 */
public record QueuedTask(String taskId, String jobId, String taskType, Set<String> requiredPlugins, int attemptsMade,
    long leaseMillis) {
  public QueuedTask {
    requiredPlugins = Set.copyOf(requiredPlugins);
  }

  QueuedTask withAttempts(int n) {
    return new QueuedTask(taskId, jobId, taskType, requiredPlugins, n, leaseMillis);
  }
}
