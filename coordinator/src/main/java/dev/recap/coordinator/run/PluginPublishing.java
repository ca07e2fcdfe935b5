package dev.recap.coordinator.run;

import dev.recap.bus.Addresses;
import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.PluginChunk;
import dev.recap.bus.msg.PluginChunkRequest;
import dev.recap.bus.msg.PluginListRequest;
import dev.recap.bus.msg.PublishedPlugin;
import dev.recap.bus.msg.PublishedPluginState;
import dev.recap.bus.msg.PublishedPlugins;
import dev.recap.coordinator.plugin.PluginStore;
import dev.recap.coordinator.plugin.PublishedJar;
import dev.recap.coordinator.run.WorkerRegistry.Worker;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishing plugins to the running cluster: a push stores the jar ({@link PluginStore}) and
 * announces it on the bus; workers list the published jars and fetch them in parts; the view
 * joins each jar with what the live workers reported of it (loaded or refused, and the
 * conformance kits of its extensions).
 */
final class PluginPublishing {

  /** The largest part of a jar one message carries (the bus buffers a message whole). */
  static final int CHUNK_BYTES = 1 << 20;

  private final Object lock;
  private final Vertx vertx;
  private final PluginStore store;
  private final WorkerRegistry workers;
  private final LiveFeed feed;

  PluginPublishing(Object lock, Vertx vertx, PluginStore store, WorkerRegistry workers, LiveFeed feed) {
    this.lock = lock;
    this.vertx = vertx;
    this.store = store;
    this.workers = workers;
    this.feed = feed;
  }

  /** Stores the jar and, when it is new, tells every worker. */
  PluginStore.Publication publish(byte[] bytes, String name) {
    PluginStore.Publication p = store.publish(bytes, name);
    if (p.added()) {
      vertx.eventBus().publish(Addresses.PLUGIN_PUBLISHED, message(p.jar()));
      synchronized (lock) {
        feed.publish(new JsonObject().put("type", "plugins"));
      }
    }
    return p;
  }

  void onList(Message<PluginListRequest> m) {
    List<PublishedPlugin> all = new ArrayList<>();
    store.all().forEach(j -> all.add(message(j)));
    m.reply(new PublishedPlugins(all));
  }

  void onChunk(Message<PluginChunkRequest> m) {
    String sha = m.body().getSha256();
    long offset = m.body().getOffset();
    if (store.get(sha) == null) {
      m.fail(Addresses.NO_PLUGIN, "no published plugin jar with sha-256 " + sha);
      return;
    }
    vertx.executeBlocking(() -> new PluginChunk(sha, offset, store.size(sha), ByteBuffer.wrap(store.read(sha, offset, CHUNK_BYTES))))
        .onSuccess(m::reply)
        .onFailure(e -> m.fail(Addresses.NO_PLUGIN, "cannot read published plugin jar " + sha + ": " + e.getMessage()));
  }

  private static PublishedPlugin message(PublishedJar j) {
    return new PublishedPlugin(j.pluginId(), j.version(), j.sha256(), j.sizeBytes());
  }

  /**
   * Every published jar: {@code pluginId, version, sha256, shortSha, sizeBytes, name,
   * publishedAtMillis, kit} ({@code passed}, {@code failed}, {@code pending} or {@code skipped},
   * over the workers that loaded it, see {@link ConformanceVerdict}), {@code kitMessage} (the
   * failing check for failed), {@code loadedOn} (worker ids), and {@code workers: [{workerId,
   * state, message, kit, kitMessage}]} for every live worker that reported on it.
   */
  JsonArray json() {
    List<PublishedJar> jars = store.all();
    List<Worker> alive;
    synchronized (lock) {
      alive = workers.alive();
    }
    JsonArray out = new JsonArray();
    for (PublishedJar jar : jars) {
      JsonArray perWorker = new JsonArray();
      JsonArray loadedOn = new JsonArray();
      List<String> kitStatuses = new ArrayList<>();
      String failMessage = null;
      String skipMessage = null;
      for (Worker w : alive) {
        PublishedPluginState state = w.published().stream().filter(s -> s.getSha256().equals(jar.sha256())).findFirst()
            .orElse(null);
        if (state == null) {
          continue;
        }
        JsonObject entry = new JsonObject().put("workerId", w.hello().getWorkerId()).put("state", state.getState())
            .put("message", state.getMessage());
        if ("loaded".equals(state.getState())) {
          loadedOn.add(w.hello().getWorkerId());
          Kit kit = kitOn(w, jar, state);
          kitStatuses.add(kit.verdict());
          if (ConformanceVerdict.FAIL.equals(kit.verdict()) && failMessage == null) {
            failMessage = kit.message() + " (worker " + w.hello().getWorkerId() + ")";
          } else if (ConformanceVerdict.SKIPPED.equals(kit.verdict()) && skipMessage == null) {
            skipMessage = kit.message();
          }
          entry.put("kit", words(kit.verdict())).put("kitMessage", kit.message());
        }
        perWorker.add(entry);
      }
      String kit = kitStatuses.isEmpty() ? ConformanceVerdict.PENDING : ConformanceVerdict.of(kitStatuses);
      out.add(jar.toJson().put("shortSha", jar.shortSha()).put("kit", words(kit))
          .put("kitMessage", ConformanceVerdict.FAIL.equals(kit) ? failMessage
              : ConformanceVerdict.SKIPPED.equals(kit) ? skipMessage : "")
          .put("loadedOn", loadedOn).put("workers", perWorker));
    }
    return out;
  }

  /** A jar's kits on one worker: the verdict over its extensions, and the failing (else skipped) one's message. */
  private record Kit(String verdict, String message) {}

  private static Kit kitOn(Worker w, PublishedJar jar, PublishedPluginState state) {
    List<String> statuses = new ArrayList<>();
    String failed = null;
    String skipped = null;
    for (ConformanceResult r : w.conformance()) {
      if (r.getPluginId().equals(jar.pluginId())) {
        statuses.add(r.getStatus());
        if (ConformanceVerdict.FAIL.equals(r.getStatus()) && failed == null) {
          failed = r.getExtensionId() + " (" + r.getExtensionPoint() + ") " + r.getMessage();
        } else if (ConformanceVerdict.SKIPPED.equals(r.getStatus()) && skipped == null) {
          skipped = r.getExtensionId() + ": " + r.getMessage();
        }
      }
    }
    if (statuses.isEmpty() && !state.getMessage().isEmpty()) {
      return new Kit(ConformanceVerdict.SKIPPED, state.getMessage()); // loaded, nothing to check (no extensions)
    }
    String verdict = statuses.isEmpty() ? ConformanceVerdict.PENDING : ConformanceVerdict.of(statuses);
    return new Kit(verdict, failed != null ? failed : skipped != null ? skipped : "");
  }

  /** The listing's words for a verdict. */
  private static String words(String verdict) {
    return switch (verdict) {
      case ConformanceVerdict.PASS -> "passed";
      case ConformanceVerdict.FAIL -> "failed";
      case ConformanceVerdict.SKIPPED -> "skipped";
      default -> "pending";
    };
  }
}
