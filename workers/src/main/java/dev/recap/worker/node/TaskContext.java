package dev.recap.worker.node;

import ai.djl.Device;
import dev.recap.api.Extensions;
import java.util.Map;

/**
 * What a running task sees of its worker: its payload and identity, a seed, where to write,
 * the loaded plugins, and channels for progress, metrics and notes (all best-effort).
 *
 * @param <P> the payload record type
 */
public interface TaskContext<P> {

  /** The decoded payload the stage planner created. */
  P payload();

  String jobId();

  /** Stable across attempts; artifact names derive from it. */
  String taskId();

  String stage();

  /** 1-based attempt number. */
  int attempt();

  /**
   * The task's seed, fixed by the job seed and the task's stage and name: the same on every
   * attempt and every submission of the same spec.
   */
  long seed();

  /** The worker's id. */
  String workerId();

  /** Reports progress, {@code fraction} in 0..1. Cheap; rate-limit nothing. */
  void progress(double fraction, String message);

  /**
   * Emits a metric sample (loss, images/s, ...) tagged with job and task. The console charts it
   * as series {@code "<stage>/<name>"} at x = tag {@code "step"} (e.g. {@code Map.of("step", "120")});
   * names {@code loss}, {@code logit_scale}, {@code lr}, {@code images_per_sec} get the Jobs
   * page's charts, and {@code samples_per_sec}/{@code images_per_sec} feed the stage's samples/s
   * (docs/console.md).
   */
  void metric(String name, double value, Map<String, String> tags);

  /** Emits a metric sample without extra tags. */
  default void metric(String name, double value) {
    metric(name, value, Map.of());
  }

  /**
   * Emits a free-text note into the job's events log. Write a skipped sample as
   * {@code "skipped sample <key>: <reason>"}: the console shows it as a SAMPLE_SKIPPED warning.
   */
  void event(String message);

  /** The extensions of the plugins this worker loaded; they report {@link #device()} as the host's device. */
  Extensions extensions();

  /**
   * The device this worker computes on: a task creates its base {@code NDManager}s and models
   * there. The CPU for contexts outside a worker node.
   */
  default Device device() {
    return Device.cpu();
  }

  /** This task's artifact store: atomic writes under names derived from the task id. */
  ArtifactStore artifacts();

  /** True once the coordinator revoked this lease (expired or given to another worker): stop early. */
  boolean isCancelled();

  /**
   * The worker's cluster member, for tasks that exchange data with other workers directly (a
   * training gang). Contexts outside a worker node have none.
   */
  default com.hazelcast.core.HazelcastInstance hazelcast() {
    throw new UnsupportedOperationException("this task context has no cluster member");
  }
}
