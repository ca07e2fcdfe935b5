package dev.recap.coordinator.run;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of the coordinator's live feed (the console's event stream). */
final class LiveFeed {

  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

  private final List<Consumer<JsonObject>> listeners = new CopyOnWriteArrayList<>();

  Runnable subscribe(Consumer<JsonObject> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Hands one message to every listener; a failing listener does not stop the others. */
  void publish(JsonObject message) {
    for (Consumer<JsonObject> listener : listeners) {
      try {
        listener.accept(message);
      } catch (RuntimeException e) {
        LOG.debug("live-feed listener failed: {}", e.toString());
      }
    }
  }
}
