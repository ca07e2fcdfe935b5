package dev.recap.worker.node;

import ai.djl.Device;
import dev.recap.api.Extensions;
import dev.recap.api.NamedPlugin;
import dev.recap.bus.msg.PluginInfo;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugin code one task ran: every extension it looked up by id, with the PF4J id, version
 * and SHA-256 of the jar it came from. The task's result JSON gets them as {@code code}
 * (docs/results.md), so a result names the exact bytes that produced it.
 */
final class TaskCode {

  private final WorkerPlugins plugins;
  private final Map<String, PluginInfo> used = new LinkedHashMap<>();

  TaskCode(WorkerPlugins plugins) {
    this.plugins = plugins;
  }

  /** {@code host} as the task sees it: lookups by id are recorded. */
  Extensions wrap(Extensions host) {
    TaskCode code = this;
    return new Extensions() {
      @Override
      public <T extends NamedPlugin> List<T> all(Class<T> type) {
        return host.all(type);
      }

      @Override
      public <T extends NamedPlugin> T get(Class<T> type, String id) {
        T found = host.get(type, id);
        code.record(found);
        return found;
      }

      @Override
      public Device device() {
        return host.device();
      }

      @Override
      public Extensions onDevice(Device device) {
        return code.wrap(host.onDevice(device));
      }
    };
  }

  private void record(NamedPlugin extension) {
    for (WorkerPlugins.Loaded l : plugins.loaded()) {
      if (l.extension() == extension) {
        synchronized (used) {
          used.putIfAbsent(l.info().getPluginId() + "|" + l.info().getId(), l.info());
        }
        return;
      }
    }
  }

  /** The recorded code as the result's {@code code} list: {@code [{plugin, version, sha256, extension, extensionVersion}]}. */
  JsonArray json() {
    JsonArray out = new JsonArray();
    synchronized (used) {
      for (PluginInfo p : used.values()) {
        out.add(new JsonObject().put("plugin", p.getPluginId()).put("version", p.getPluginVersion())
            .put("sha256", p.getSha256()).put("extension", p.getId()).put("extensionVersion", p.getVersion()));
      }
    }
    return out;
  }

  /** {@code resultJson} with the {@code code} list added (unchanged when no plugin was used or it is not a JSON object). */
  String addTo(String resultJson) {
    JsonArray code = json();
    if (code.isEmpty()) {
      return resultJson;
    }
    try {
      return new JsonObject(resultJson).put("code", code).encodePrettily();
    } catch (DecodeException | ClassCastException e) {
      return resultJson;
    }
  }
}
