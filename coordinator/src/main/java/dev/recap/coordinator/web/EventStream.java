package dev.recap.coordinator.web;

import dev.recap.coordinator.run.Coordinator;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/stream}: the coordinator's live feed as Server-Sent Events, one {@code data:}
 * line of JSON per message (see {@link Coordinator#subscribe}). A slow reader loses messages
 * rather than growing the server's memory: the console refreshes from the REST API on the next
 * one. A comment line every 15 s keeps proxies from closing an idle stream.
 */
final class EventStream implements Handler<RoutingContext> {

  static final int MAX_STREAMS = 32;
  private static final long KEEP_ALIVE_MILLIS = 15_000;

  private final Vertx vertx;
  private final Coordinator coordinator;
  private final AtomicInteger open = new AtomicInteger();

  EventStream(Vertx vertx, Coordinator coordinator) {
    this.vertx = vertx;
    this.coordinator = coordinator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (open.incrementAndGet() > MAX_STREAMS) {
      open.decrementAndGet();
      ctx.response().setStatusCode(503).putHeader("Retry-After", "30")
          .end(new JsonObject().put("error", "too many open streams (" + MAX_STREAMS + "); poll the REST API").encode());
      return;
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
    response.write(": recap live feed\n\n");
    Context context = vertx.getOrCreateContext();
    AtomicBoolean closed = new AtomicBoolean();
    Runnable unsubscribe = coordinator.subscribe(message -> {
      String line = "data: " + message.encode() + "\n\n";
      // called under the coordinator's lock on any thread: hand over to the connection's context
      context.runOnContext(v -> {
        if (!closed.get() && !response.writeQueueFull()) {
          response.write(line);
        }
      });
    });
    long keepAlive = vertx.setPeriodic(KEEP_ALIVE_MILLIS, id -> {
      if (!closed.get()) {
        response.write(": keep-alive\n\n");
      }
    });
    response.closeHandler(v -> {
      if (closed.compareAndSet(false, true)) {
        unsubscribe.run();
        vertx.cancelTimer(keepAlive);
        open.decrementAndGet();
      }
    });
  }
}
