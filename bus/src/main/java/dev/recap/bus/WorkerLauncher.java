package dev.recap.bus;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Starts a worker node on a cluster member without compiling against the workers module: the
 * coordinator's embedded mode and the {@code recap worker} command find the implementation with
 * {@link ServiceLoader} at run time.
 */
public interface WorkerLauncher {

  /**
   * What a launched worker needs to know.
   *
   * @param conformanceKits whether the worker runs its plugins' conformance kits in the background
   *     after joining and reports the outcomes (on by default)
   * @param device what the worker computes on; a launch fails if it is not usable
   */
  record Settings(String workerId, Path pluginsDir, Path artifactRoot, int slots, boolean conformanceKits, WorkerDevice device) {
    public Settings {
      Objects.requireNonNull(workerId, "workerId");
      Objects.requireNonNull(device, "device");
      if (slots < 1) {
        throw new IllegalArgumentException("a worker needs at least 1 slot, got " + slots);
      }
    }

    /** On the CPU. */
    public Settings(String workerId, Path pluginsDir, Path artifactRoot, int slots, boolean conformanceKits) {
      this(workerId, pluginsDir, artifactRoot, slots, conformanceKits, WorkerDevice.cpu());
    }

    /** With the conformance kits on, on the CPU. */
    public Settings(String workerId, Path pluginsDir, Path artifactRoot, int slots) {
      this(workerId, pluginsDir, artifactRoot, slots, true);
    }

    /** The same settings with the conformance kits on or off. */
    public Settings withConformanceKits(boolean on) {
      return new Settings(workerId, pluginsDir, artifactRoot, slots, on, device);
    }

    /** The same settings on another device. */
    public Settings withDevice(WorkerDevice other) {
      return new Settings(workerId, pluginsDir, artifactRoot, slots, conformanceKits, other);
    }
  }

  /** A worker that runs until closed. */
  interface RunningWorker extends AutoCloseable {
    /** The id it reports under. */
    String workerId();

    /** Stops asking for work and stops its plugins; does not close the cluster member. */
    @Override
    void close();

    /** Measured task-request-to-lease round trips in nanoseconds, in the order measured (diagnostics and benchmarks). */
    default long[] leaseRoundTripNanos() {
      return new long[0];
    }
  }

  /**
   * The devices of {@code workers} workers started in one JVM when the user chose none, worker i
   * (0-based) getting element i. This default puts every worker on the CPU; the worker node's
   * launcher gives worker i the GPU {@code cuda:(i mod G)} when its libtorch sees G > 0 GPUs.
   */
  default List<WorkerDevice> defaultDevices(int workers) {
    return Collections.nCopies(workers, WorkerDevice.cpu());
  }

  /**
   * Fails if this launcher cannot run a worker on {@code device}, so that a command can stop before
   * it joins a cluster; {@link #launch} checks again. This default accepts the CPU only.
   *
   * @throws IllegalStateException saying what was found and what to do
   */
  default void requireDevice(WorkerDevice device) {
    if (device.isCuda()) {
      throw new IllegalStateException("worker device " + device + ": this worker launcher runs on cpu only");
    }
  }

  /** Starts a worker on {@code cluster} and returns once it has announced itself. */
  RunningWorker launch(RecapCluster cluster, Settings settings) throws Exception;

  /**
   * The launcher on the class path.
   *
   * @throws IllegalStateException if none is (the workers module is missing from the class path)
   */
  static WorkerLauncher find() {
    return ServiceLoader.load(WorkerLauncher.class).findFirst().orElseThrow(() -> new IllegalStateException(
        "no dev.recap.bus.WorkerLauncher on the class path: put recap-workers (lib/recap-workers-*.jar) on it"));
  }
}
