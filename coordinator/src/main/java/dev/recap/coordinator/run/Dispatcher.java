package dev.recap.coordinator.run;

import dev.recap.bus.Addresses;
import dev.recap.bus.msg.TaskLease;
import dev.recap.bus.msg.TaskRequest;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.coordinator.lease.Lease;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.run.JobRun.TaskRun;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Answers workers' task requests: leases them a queued task they are capable of, or parks the
 * request (a long poll) until a task is queued or the poll times out with "no task".
 */
final class Dispatcher {

  /**
   * After recovering running jobs, how long nothing is leased: workers still running tasks of the
   * previous coordinator report them in their heartbeats (every second by default) and the tasks
   * are adopted, instead of being leased a second time to another worker (which would run them
   * twice and get the running attempt revoked).
   */
  static final long ADOPTION_GRACE_MILLIS = 3000;

  private record Parked(Message<TaskRequest> message, long timer) {}

  private final Object lock;
  private final Vertx vertx;
  private final JobTable jobs;
  private final WorkerRegistry workers;
  private final LeaseTable leases;
  private final CoordinatorMetrics metrics;
  private final LiveFeed feed;
  private final long longPollMillis;
  private final LongSupplier clock;
  private final List<Parked> parked = new ArrayList<>();
  private long leaseAfterMillis;

  /** @param longPollMillis how long a task request waits for work before "no task" */
  Dispatcher(Object lock, Vertx vertx, JobTable jobs, WorkerRegistry workers, LeaseTable leases,
      CoordinatorMetrics metrics, LiveFeed feed, long longPollMillis, LongSupplier clock) {
    this.lock = lock;
    this.vertx = vertx;
    this.jobs = jobs;
    this.workers = workers;
    this.leases = leases;
    this.metrics = metrics;
    this.feed = feed;
    this.longPollMillis = longPollMillis;
    this.clock = clock;
  }

  void onTaskRequest(Message<TaskRequest> m) {
    synchronized (lock) {
      WorkerHello w = m.body().getWorker();
      workers.seen(w);
      TaskLease lease = tryLease(w);
      if (lease != null) {
        m.reply(lease);
        return;
      }
      long timer = vertx.setTimer(longPollMillis, id -> {
        synchronized (lock) {
          parked.removeIf(p -> p.message() == m);
        }
        m.fail(Addresses.NO_TASK, "no task for now");
      });
      parked.add(new Parked(m, timer));
    }
  }

  /**
   * Leases nothing for {@link #ADOPTION_GRACE_MILLIS} (the previous coordinator's running leases
   * are being adopted), then hands out what is queued.
   */
  void holdLeasesForAdoption() {
    leaseAfterMillis = clock.getAsLong() + ADOPTION_GRACE_MILLIS;
    vertx.setTimer(ADOPTION_GRACE_MILLIS, id -> {
      synchronized (lock) {
        dispatch();
      }
    });
  }

  private TaskLease tryLease(WorkerHello w) {
    if (clock.getAsLong() < leaseAfterMillis) {
      return null; // still adopting the previous coordinator's running leases
    }
    Set<String> plugins = new HashSet<>();
    w.getPlugins().forEach(p -> {
      plugins.add(p.getId());
      plugins.add(p.getId() + "@" + p.getVersion()); // a spec pins a version as id@version
    });
    Lease lease = leases.lease(w.getWorkerId(), plugins, new HashSet<>(w.getTaskTypes()));
    if (lease == null) {
      return null;
    }
    JobRun job = jobs.get(lease.task().jobId());
    TaskRun task = job.tasks.get(lease.task().taskId());
    task.attempts = lease.attempt();
    metrics.leased();
    // the cluster page shows each worker's current task
    feed.publish(new JsonObject().put("type", "worker").put("workerId", w.getWorkerId()));
    return TaskLease.newBuilder().setTaskId(task.taskId).setJobId(job.jobId).setStage(task.stage)
        .setAttempt(lease.attempt()).setLeaseDeadlineMillis(lease.deadlineMillis())
        .setLeaseMillis(lease.task().leaseMillis()).setTaskType(task.planned.taskType())
        .setPayloadSchema(task.planned.payload().getSchema().getFullName()).setPayload(task.payload.duplicate())
        .setSeed(task.seed).setOutputRoot(job.spec.output()).build();
  }

  /** Hands queued tasks to parked requests. Caller holds the lock. */
  void dispatch() {
    Iterator<Parked> it = parked.iterator();
    while (it.hasNext() && leases.queued() > 0) {
      Parked p = it.next();
      TaskLease lease = tryLease(workers.latest(p.message().body().getWorker()));
      if (lease != null) {
        it.remove();
        vertx.cancelTimer(p.timer());
        p.message().reply(lease);
      }
    }
  }

  /** Drops the parked requests of a cluster member that left: they would swallow leases until these expire. Caller holds the lock. */
  void forgetRequestsOf(String nodeId) {
    parked.removeIf(p -> {
      if (p.message().body().getWorker().getNodeId().equals(nodeId)) {
        vertx.cancelTimer(p.timer());
        return true;
      }
      return false;
    });
  }

  /** Cancels every parked request's timer; their requesters time out on their side. */
  void close() {
    synchronized (lock) {
      parked.forEach(p -> vertx.cancelTimer(p.timer()));
      parked.clear();
    }
  }
}
