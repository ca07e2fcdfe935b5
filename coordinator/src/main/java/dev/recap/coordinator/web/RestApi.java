package dev.recap.coordinator.web;

import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.run.JobStatus;
import dev.recap.coordinator.spec.SpecException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's HTTP API. Every route needs {@code Authorization: Bearer <token>}.
 *
 * <ul>
 *   <li>{@code POST /api/jobs} (body: job-spec YAML) - 201 {@code {"jobId": ...}}, or 400 with
 *       {@code {"problems": [{"field", "message"}]}}
 *   <li>{@code GET /api/jobs}, {@code GET /api/jobs/:id} - job status
 *   <li>{@code GET /api/workers} - live workers and what they advertise
 *   <li>{@code GET /metrics} - Prometheus text format
 * </ul>
 */
public final class RestApi {

  private RestApi() {}

  /** Starts the server; blocks until it listens. Port 0 picks a free port ({@link HttpServer#actualPort()}). */
  public static HttpServer start(Vertx vertx, Coordinator coordinator, String token, String host, int port) {
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      String auth = ctx.request().getHeader("Authorization");
      if (auth == null || !MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8))) {
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
            .end(error("a valid token is required: Authorization: Bearer <token> (printed by 'recap coordinator', stored in its state dir)"));
        return;
      }
      ctx.next();
    });
    router.post("/api/jobs").handler(BodyHandler.create().setBodyLimit(1 << 20));
    router.post("/api/jobs").handler(ctx -> submit(ctx, coordinator));
    router.get("/api/jobs").handler(ctx -> {
      JsonArray all = new JsonArray();
      coordinator.jobs().forEach(s -> all.add(s.toJson()));
      json(ctx, 200, new JsonObject().put("jobs", all));
    });
    router.get("/api/jobs/:id").handler(ctx -> {
      JobStatus s = coordinator.status(ctx.pathParam("id"));
      if (s == null) {
        ctx.response().setStatusCode(404).end(error("no job '" + ctx.pathParam("id") + "'"));
      } else {
        json(ctx, 200, s.toJson());
      }
    });
    router.get("/api/workers").handler(ctx -> json(ctx, 200, new JsonObject().put("workers", coordinator.workersJson())));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(coordinator.metrics().scrape()));
    try {
      return vertx.createHttpServer().requestHandler(router).listen(port, host)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static void submit(RoutingContext ctx, Coordinator coordinator) {
    String yaml = ctx.body().asString();
    if (yaml == null || yaml.isBlank()) {
      ctx.response().setStatusCode(400).end(error("the request body must be a job spec in YAML"));
      return;
    }
    try {
      String jobId = coordinator.submit(yaml, "POST /api/jobs");
      json(ctx, 201, new JsonObject().put("jobId", jobId));
    } catch (SpecException e) {
      JsonArray problems = new JsonArray();
      e.problems().forEach(p -> problems.add(new JsonObject().put("field", p.field()).put("message", p.message())));
      json(ctx, 400, new JsonObject().put("error", "invalid job spec").put("problems", problems));
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encodePrettily());
  }

  private static String error(String message) {
    return new JsonObject().put("error", message).encode();
  }
}
