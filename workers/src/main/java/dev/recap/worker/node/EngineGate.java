package dev.recap.worker.node;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Keeps conformance kits apart from the tasks of every worker in this JVM (embedded workers share
 * one): DJL allows one {@code GradientCollector} per JVM and the engine's random seed is global,
 * so a kit running beside a task could fail the task (a captioner training with its own
 * collector) or be failed by it. Tasks share the gate; a kit runs only when no task holds it, and
 * a task that starts meanwhile waits for that one kit (a few seconds at most).
 */
final class EngineGate {

  private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();

  private EngineGate() {}

  /** Runs a task's body; waits while a kit runs. */
  static <T> T task(Callable<T> body) throws Exception {
    LOCK.readLock().lockInterruptibly();
    try {
      return body.call();
    } finally {
      LOCK.readLock().unlock();
    }
  }

  /**
   * Runs {@code kit} once no task of this JVM is running, polling every {@code pollMillis} and
   * never queueing ahead of tasks (a waiting kit does not hold new tasks back).
   *
   * @throws InterruptedException if interrupted while waiting
   */
  static <T> T kit(Supplier<T> kit, long pollMillis) throws InterruptedException {
    while (!LOCK.writeLock().tryLock()) {
      TimeUnit.MILLISECONDS.sleep(pollMillis);
    }
    try {
      return kit.get();
    } finally {
      LOCK.writeLock().unlock();
    }
  }
}
