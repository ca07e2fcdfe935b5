package dev.recap.coordinator.lease;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which task is queued, which is leased to whom until when. Time comes from an injected clock
 * (milliseconds), so tests drive expiry without sleeping.
 *
 * <p>Not thread-safe: the coordinator confines it to one lock. The retry decision (re-queue or
 * give up) is the caller's: {@link #expire()}, {@link #release(String)} and
 * {@link #fail(String, int)} hand back what was lost, and {@link #requeue(QueuedTask)} puts it
 * back with its attempt count.
 */
public final class LeaseTable {

  private final LongSupplier clockMillis;
  private final Map<String, QueuedTask> queue = new LinkedHashMap<>();
  private final Map<String, Lease> leases = new LinkedHashMap<>();

  /** @param clockMillis the time source, e.g. {@code System::currentTimeMillis} */
  public LeaseTable(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  /** Queues a task (at the end). A task already queued or leased is left alone. */
  public void enqueue(QueuedTask task) {
    if (!leases.containsKey(task.taskId())) {
      queue.putIfAbsent(task.taskId(), task);
    }
  }

  /** Puts a lost task back at the front of the queue, remembering its attempts. */
  public void requeue(QueuedTask task) {
    if (leases.containsKey(task.taskId()) || queue.containsKey(task.taskId())) {
      return;
    }
    Map<String, QueuedTask> rest = new LinkedHashMap<>(queue);
    queue.clear();
    queue.put(task.taskId(), task);
    queue.putAll(rest);
  }

  /**
   * Leases the first queued task this worker can run, or returns null.
   *
   * @param plugins extension ids the worker advertises, each as {@code id} and as {@code id@version}
   * @param taskTypes task types it has handlers for
   */
  public Lease lease(String workerId, Set<String> plugins, Set<String> taskTypes) {
    Iterator<QueuedTask> it = queue.values().iterator();
    while (it.hasNext()) {
      QueuedTask t = it.next();
      if (taskTypes.contains(t.taskType()) && plugins.containsAll(t.requiredPlugins())) {
        it.remove();
        int attempt = t.attemptsMade() + 1;
        Lease lease = new Lease(t.withAttempts(attempt), workerId, attempt, clockMillis.getAsLong() + t.leaseMillis());
        leases.put(t.taskId(), lease);
        return lease;
      }
    }
    return null;
  }

  /** Extends the lease if {@code workerId} still holds this attempt; false means it was revoked. */
  public boolean renew(String workerId, String taskId, int attempt) {
    Lease l = leases.get(taskId);
    if (l == null || !l.workerId().equals(workerId) || l.attempt() != attempt) {
      return false;
    }
    leases.put(taskId, new Lease(l.task(), workerId, attempt, clockMillis.getAsLong() + l.task().leaseMillis()));
    return true;
  }

  /**
   * Takes over a lease this table does not know but a worker reports holding (the coordinator
   * restarted while the task ran): if the task is queued, it becomes leased to that worker
   * instead of running twice.
   *
   * @return true if adopted
   */
  public boolean adopt(String workerId, String taskId, int attempt) {
    QueuedTask t = queue.get(taskId);
    if (t == null || leases.containsKey(taskId)) {
      return false;
    }
    queue.remove(taskId);
    int current = Math.max(attempt, t.attemptsMade());
    leases.put(taskId, new Lease(t.withAttempts(current), workerId, attempt, clockMillis.getAsLong() + t.leaseMillis()));
    return true;
  }

  /**
   * Forgets a finished task wherever it is (leased by anyone, or queued again after a lost
   * lease): the first completion wins, since outputs are idempotent.
   *
   * @return true if the task was known here
   */
  public boolean complete(String taskId) {
    boolean known = leases.remove(taskId) != null;
    return queue.remove(taskId) != null || known;
  }

  /** Ends a failed attempt; returns its lease if it was the current one, else null (a stale result). */
  public Lease fail(String taskId, int attempt) {
    Lease l = leases.get(taskId);
    if (l == null || l.attempt() != attempt) {
      return null;
    }
    return leases.remove(taskId);
  }

  /** Removes and returns every lease past its deadline. */
  public List<Lease> expire() {
    long now = clockMillis.getAsLong();
    List<Lease> expired = new ArrayList<>();
    leases.values().removeIf(l -> {
      if (l.deadlineMillis() < now) {
        expired.add(l);
        return true;
      }
      return false;
    });
    return expired;
  }

  /** Removes and returns every lease of a worker that is gone. */
  public List<Lease> release(String workerId) {
    List<Lease> lost = new ArrayList<>();
    leases.values().removeIf(l -> {
      if (l.workerId().equals(workerId)) {
        lost.add(l);
        return true;
      }
      return false;
    });
    return lost;
  }

  /** Drops every queued and leased task of a job (it failed). */
  public void dropJob(String jobId) {
    queue.values().removeIf(t -> t.jobId().equals(jobId));
    leases.values().removeIf(l -> l.task().jobId().equals(jobId));
  }

  public boolean isLeased(String taskId) {
    return leases.containsKey(taskId);
  }

  public int queued() {
    return queue.size();
  }

  public Collection<Lease> leases() {
    return List.copyOf(leases.values());
  }
}
