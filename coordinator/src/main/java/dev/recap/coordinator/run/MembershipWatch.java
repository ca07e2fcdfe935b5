package dev.recap.coordinator.run;

import dev.recap.coordinator.lease.Lease;
import dev.recap.coordinator.lease.LeaseTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to a cluster member leaving (or being declared dead): its workers are forgotten, their
 * parked task requests dropped, and the attempts they held lost (so re-queued) at once instead of
 * when their leases expire.
 */
final class MembershipWatch {

  private static final Logger LOG = LoggerFactory.getLogger(MembershipWatch.class);

  private final Object lock;
  private final WorkerRegistry workers;
  private final Dispatcher dispatcher;
  private final LeaseTable leases;
  private final JobEvents events;
  private final TaskRetries retries;
  private boolean stopped;

  MembershipWatch(Object lock, WorkerRegistry workers, Dispatcher dispatcher, LeaseTable leases, JobEvents events,
      TaskRetries retries) {
    this.lock = lock;
    this.workers = workers;
    this.dispatcher = dispatcher;
    this.leases = leases;
    this.events = events;
    this.retries = retries;
  }

  void onMemberLeft(String nodeId) {
    synchronized (lock) {
      if (stopped) {
        return; // the coordinator is closed (its journal too); the cluster still reports members leaving
      }
      dispatcher.forgetRequestsOf(nodeId);
      for (String id : workers.onMember(nodeId)) {
        workers.remove(id);
        LOG.info("worker {} left the cluster", id);
        events.membership("WORKER_LEFT", "worker " + id + " left the cluster");
        for (Lease l : leases.release(id)) {
          retries.attemptLost(l, "worker " + id + " left the cluster", true);
        }
      }
    }
  }

  /** Ignores members leaving from now on. */
  void stop() {
    synchronized (lock) {
      stopped = true;
    }
  }
}
