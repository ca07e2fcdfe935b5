package dev.recap.coordinator.run;

import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.HeldLease;
import dev.recap.bus.msg.PluginInfo;
import dev.recap.bus.msg.PublishedPluginState;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.coordinator.lease.LeaseTable;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers this coordinator has heard from: what each advertised (hello), when it was last
 * heard (hellos, task requests, heartbeats) and its latest conformance-kit report. A heartbeat
 * also renews the leases the worker holds, or adopts those a previous coordinator granted; the
 * others are revoked in the reply.
 */
final class WorkerRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);

  /** A worker: what it advertised, when it was last heard, and its latest conformance-kit report. */
  record Worker(WorkerHello hello, long lastSeenMillis, List<ConformanceResult> conformance,
      List<PublishedPluginState> published) {}

  private final Object lock;
  private final LeaseTable leases;
  private final JobEvents events;
  private final LiveFeed feed;
  private final long workerTimeoutMillis;
  private final LongSupplier clock;
  private final Map<String, Worker> workers = new LinkedHashMap<>();

  /** @param workerTimeoutMillis a worker not heard from for this long is not listed as alive */
  WorkerRegistry(Object lock, LeaseTable leases, JobEvents events, LiveFeed feed, long workerTimeoutMillis,
      LongSupplier clock) {
    this.lock = lock;
    this.leases = leases;
    this.events = events;
    this.feed = feed;
    this.workerTimeoutMillis = workerTimeoutMillis;
    this.clock = clock;
  }

  void onHello(Message<WorkerHello> m) {
    seen(m.body());
    m.reply(null);
  }

  /** The worker was heard from; a new one is logged in every running job. */
  void seen(WorkerHello hello) {
    synchronized (lock) {
      Worker known = workers.get(hello.getWorkerId());
      Worker previous = workers.put(hello.getWorkerId(),
          new Worker(hello, clock.getAsLong(), known == null ? List.of() : known.conformance(),
              known == null ? List.of() : known.published()));
      if (previous == null) {
        LOG.info("worker {} on {} ({} slot(s), plugins {}, task types {})", hello.getWorkerId(), hello.getHost(),
            hello.getSlots(), hello.getPlugins().stream().map(PluginInfo::getId).toList(), hello.getTaskTypes());
        events.membership("WORKER_JOINED", "worker " + hello.getWorkerId() + " joined from " + hello.getHost());
      }
    }
  }

  void onHeartbeat(Message<Heartbeat> m) {
    List<String> revoked = new ArrayList<>();
    boolean known;
    boolean conformanceChanged = false;
    synchronized (lock) {
      Heartbeat hb = m.body();
      Worker w = workers.get(hb.getWorkerId());
      known = w != null;
      if (known) {
        List<ConformanceResult> conformance = List.copyOf(hb.getConformance());
        List<PublishedPluginState> published = List.copyOf(hb.getPublished());
        conformanceChanged = !conformance.equals(w.conformance()) || !published.equals(w.published());
        for (PublishedPluginState p : published) {
          if ("refused".equals(p.getState()) && !w.published().contains(p)) {
            LOG.warn("worker {} refused published plugin {}@{}: {}", hb.getWorkerId(), p.getPluginId(), p.getVersion(),
                p.getMessage());
          }
        }
        workers.put(hb.getWorkerId(), new Worker(w.hello(), clock.getAsLong(), conformance, published));
      }
      for (HeldLease l : hb.getLeases()) {
        if (!leases.renew(hb.getWorkerId(), l.getTaskId(), l.getAttempt())
            && !leases.adopt(hb.getWorkerId(), l.getTaskId(), l.getAttempt())) {
          revoked.add(l.getTaskId());
        }
      }
    }
    m.reply(new HeartbeatAck(revoked, known));
    if (conformanceChanged) {
      // the Plugins page redraws when a kit's outcome arrives
      feed.publish(new JsonObject().put("type", "worker").put("workerId", m.body().getWorkerId()).put("conformance", true));
    }
  }

  /**
   * What the worker advertised last: {@code asked} (the hello a parked task request carried) or a
   * newer one it announced since (a published plugin it now offers). Caller holds the lock.
   */
  WorkerHello latest(WorkerHello asked) {
    Worker w = workers.get(asked.getWorkerId());
    return w == null ? asked : w.hello();
  }

  /** Workers heard from within the worker timeout. */
  List<Worker> alive() {
    synchronized (lock) {
      long now = clock.getAsLong();
      return workers.values().stream().filter(w -> now - w.lastSeenMillis() <= workerTimeoutMillis).toList();
    }
  }

  /** Extension ids the live workers advertise, each also as {@code id@version} (how a spec pins a version). */
  Set<String> livePluginIds() {
    Set<String> live = new TreeSet<>();
    alive().forEach(w -> w.hello().getPlugins().forEach(p -> {
      live.add(p.getId());
      live.add(p.getId() + "@" + p.getVersion());
    }));
    return live;
  }

  /**
   * Extensions (by id and {@code id@version}) of published plugins that a live worker loaded but
   * holds back because their conformance kit failed there, with the failing check's message; an
   * extension another worker offers is not listed.
   */
  Map<String, String> failedKits() {
    Map<String, String> failed = new LinkedHashMap<>();
    Set<String> live = livePluginIds();
    for (Worker w : alive()) {
      for (ConformanceResult r : w.conformance()) {
        if (ConformanceVerdict.FAIL.equals(r.getStatus())) {
          String message = "plugin " + r.getPluginId() + " failed its " + r.getExtensionPoint() + " conformance kit on worker "
              + w.hello().getWorkerId() + ": " + r.getMessage();
          for (String key : List.of(r.getExtensionId(), r.getExtensionId() + "@" + r.getVersion())) {
            if (!live.contains(key)) {
              failed.putIfAbsent(key, message);
            }
          }
        }
      }
    }
    return failed;
  }

  /** Extensions (by id and {@code id@version}) whose conformance kit is still running on a live worker that holds them back. */
  Set<String> pendingKits() {
    Set<String> pending = new TreeSet<>();
    for (Worker w : alive()) {
      for (ConformanceResult r : w.conformance()) {
        if (ConformanceVerdict.PENDING.equals(r.getStatus())) {
          pending.add(r.getExtensionId());
          pending.add(r.getExtensionId() + "@" + r.getVersion());
        }
      }
    }
    return pending;
  }

  /** Ids of the workers that ran on a cluster member. Caller holds the lock. */
  List<String> onMember(String nodeId) {
    List<String> ids = new ArrayList<>();
    workers.forEach((id, w) -> {
      if (w.hello().getNodeId().equals(nodeId)) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** Forgets a worker. Caller holds the lock. */
  void remove(String workerId) {
    workers.remove(workerId);
  }
}
