package dev.recap.coordinator.run;

import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.PluginInfo;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.run.WorkerRegistry.Worker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only views of the live workers and the plugins they advertise, for the API and the console. */
final class ClusterViews {

  private final Object lock;
  private final WorkerRegistry workers;
  private final LeaseTable leases;

  ClusterViews(Object lock, WorkerRegistry workers, LeaseTable leases) {
    this.lock = lock;
    this.workers = workers;
    this.leases = leases;
  }

  /** Live workers: id, host, device, cores, memory, slots, plugins, task types, leases held. */
  JsonArray workersJson() {
    synchronized (lock) {
      JsonArray out = new JsonArray();
      Map<String, Integer> held = new HashMap<>();
      Map<String, List<String>> tasksOf = new HashMap<>();
      leases.leases().forEach(l -> {
        held.merge(l.workerId(), 1, Integer::sum);
        tasksOf.computeIfAbsent(l.workerId(), k -> new ArrayList<>()).add(l.task().taskId());
      });
      for (Worker w : workers.alive()) {
        WorkerHello h = w.hello();
        JsonArray plugins = new JsonArray();
        h.getPlugins().forEach(p -> plugins.add(new JsonObject().put("id", p.getId()).put("version", p.getVersion())
            .put("extensionPoint", p.getExtensionPoint()).put("pluginId", p.getPluginId())));
        out.add(new JsonObject().put("workerId", h.getWorkerId()).put("host", h.getHost()).put("device", h.getDevice())
            .put("cores", h.getCores()).put("memoryBytes", h.getMemoryBytes()).put("slots", h.getSlots())
            .put("plugins", plugins).put("taskTypes", new JsonArray(new ArrayList<>(h.getTaskTypes())))
            .put("leases", held.getOrDefault(h.getWorkerId(), 0)).put("lastSeenMillis", w.lastSeenMillis())
            .put("currentTask", tasksOf.containsKey(h.getWorkerId()) ? String.join(", ", tasksOf.get(h.getWorkerId())) : null)
            .put("lastHeartbeat", w.lastSeenMillis()));
      }
      return out;
    }
  }

  /** One entry per (extension point, id, version) the live workers advertise, with their conformance reports. */
  JsonArray pluginsJson() {
    synchronized (lock) {
      Map<String, JsonObject> byKey = new LinkedHashMap<>();
      for (Worker w : workers.alive()) {
        for (PluginInfo p : w.hello().getPlugins()) {
          String key = p.getExtensionPoint() + "|" + p.getId() + "|" + p.getVersion();
          byKey.computeIfAbsent(key, k -> new JsonObject().put("id", p.getId()).put("version", p.getVersion())
                  .put("extensionPoint", p.getExtensionPoint()).put("pluginId", p.getPluginId())
                  .put("workers", new JsonArray()).put("conformanceReports", new JsonArray()))
              .getJsonArray("workers").add(w.hello().getWorkerId());
          ConformanceResult report = w.conformance().stream()
              .filter(r -> r.getExtensionPoint().equals(p.getExtensionPoint()) && r.getExtensionId().equals(p.getId())
                  && r.getVersion().equals(p.getVersion()))
              .findFirst().orElse(null);
          byKey.get(key).getJsonArray("conformanceReports").add(report == null
              ? new JsonObject().put("workerId", w.hello().getWorkerId()).putNull("status")
              : new JsonObject().put("workerId", w.hello().getWorkerId()).put("status", report.getStatus())
                  .put("message", report.getMessage()).put("millis", report.getMillis()));
        }
      }
      for (JsonObject entry : byKey.values()) {
        List<String> statuses = new ArrayList<>();
        entry.getJsonArray("conformanceReports").forEach(r -> statuses.add(((JsonObject) r).getString("status")));
        entry.put("conformance", ConformanceVerdict.of(statuses));
      }
      return new JsonArray(new ArrayList<>(byKey.values()));
    }
  }
}
