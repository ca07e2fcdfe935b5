package dev.recap.coordinator.web;

import dev.recap.coordinator.console.ConsoleRoutes;
import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.plugin.PluginRejectedException;
import dev.recap.coordinator.plugin.PluginStore;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.spec.SpecException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP API and web console. The console's static pages under {@code /console}
 * load without a token (they hold no data); every {@code /api} route and {@code /metrics} needs
 * {@code Authorization: Bearer <token>}, compared in constant time and never logged. No CORS
 * headers are sent: only the same-origin console can read the answers.
 *
 * <ul>
 *   <li>{@code POST /api/jobs} (body: job-spec YAML, at most {@value #MAX_SPEC_BYTES} bytes) - 201
 *       {@code {"jobId", "id"}}, or 400 with {@code {"problems": [{"field", "message", "line"?}]}}
 *   <li>{@code GET /api/jobs} - every job with its stages (tasks done/total, samplesPerSec, etaSeconds)
 *   <li>{@code GET /api/jobs/:id} - the job plus {@code events[]} and {@code series{}}
 *   <li>{@code GET /api/jobs/:id/results} - the results table read from the tasks' result.json
 *       (docs/results.md); 404 while there is none
 *   <li>{@code GET /api/jobs/:id/artifacts/<stage>/<task>/<file>} - a file a task of the job
 *       reported as an output
 *   <li>{@code GET /api/workers}, {@code GET /api/plugins} - live workers, and the plugins: {@code plugins}
 *       the extensions they offer, {@code published} the jars published to the cluster
 *   <li>{@code POST /api/plugins?name=<file name>} (body: a PF4J plugin jar, at most
 *       {@link PluginStore#MAX_JAR_BYTES} bytes) - 201 {@code {"published": {...}, "added": true}}, 200
 *       with {@code "added": false} for bytes already published, 400 for a jar without a plugin
 *       descriptor, 409 for other bytes under an id@version already published
 *   <li>{@code GET /api/stream} - the live feed as Server-Sent Events
 *   <li>{@code GET /metrics} - Prometheus text format
 * </ul>
 */
public final class RestApi {

  /** Largest job spec accepted. */
  public static final int MAX_SPEC_BYTES = 1 << 20;

  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml",
      "text/x-yaml", "text/plain");

  private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

  private RestApi() {}

  /** Starts the server; blocks until it listens. Port 0 picks a free port ({@link HttpServer#actualPort()}). */
  public static HttpServer start(Vertx vertx, Coordinator coordinator, String token, String host, int port) {
    try {
      return vertx.createHttpServer().requestHandler(router(vertx, coordinator, token)).listen(port, host)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The routes: console first (no token), then everything else behind the token. */
  static Router router(Vertx vertx, Coordinator coordinator, String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the API needs a non-empty token");
    }
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    Router router = Router.router(vertx);
    ConsoleRoutes.mount(router);
    router.route().handler(ConsoleRoutes.securityHeaders());
    router.route().handler(ctx -> {
      String auth = ctx.request().getHeader("Authorization");
      if (auth == null || !MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8))) {
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
            .putHeader("Content-Type", "application/json")
            .end(error("a valid token is required: Authorization: Bearer <token> (printed by 'recap coordinator', stored in its state dir)"));
        return;
      }
      ctx.next();
    });
    router.route("/api/jobs/:id/*").handler(ctx -> {
      if (!JOB_ID.matcher(ctx.pathParam("id")).matches()) {
        json(ctx, 400, new JsonObject().put("error", "a job id is 1-200 of [A-Za-z0-9._-]"));
        return;
      }
      ctx.next();
    });
    router.post("/api/jobs").handler(BodyHandler.create(false).setBodyLimit(MAX_SPEC_BYTES));
    router.post("/api/jobs").handler(ctx -> submit(ctx, coordinator));
    router.get("/api/jobs").handler(ctx -> json(ctx, 200, new JsonObject().put("jobs", coordinator.jobsJson())));
    router.get("/api/jobs/:id").handler(ctx -> {
      JsonObject job = coordinator.jobJson(ctx.pathParam("id"));
      if (job == null) {
        notFound(ctx);
      } else {
        json(ctx, 200, job);
      }
    });
    router.get("/api/jobs/:id/results").handler(ctx -> results(ctx, vertx, coordinator));
    router.get("/api/jobs/:id/artifacts/*").handler(ctx -> artifact(ctx, vertx, coordinator));
    router.get("/api/workers").handler(ctx -> json(ctx, 200, new JsonObject().put("workers", coordinator.workersJson())));
    router.get("/api/plugins").handler(ctx -> json(ctx, 200, new JsonObject().put("plugins", coordinator.pluginsJson())
        .put("published", coordinator.publishedPluginsJson())));
    router.post("/api/plugins").handler(BodyHandler.create(false).setBodyLimit(PluginStore.MAX_JAR_BYTES));
    router.post("/api/plugins").handler(ctx -> publish(ctx, vertx, coordinator));
    router.get("/api/stream").handler(new EventStream(vertx, coordinator));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(coordinator.metrics().scrape()));
    router.route().failureHandler(RestApi::failure);
    return router;
  }

  private static void submit(RoutingContext ctx, Coordinator coordinator) {
    String type = ctx.request().getHeader("Content-Type");
    String mime = type == null ? null : type.split(";")[0].trim().toLowerCase();
    if (mime != null && !YAML_TYPES.contains(mime)) {
      json(ctx, 415, new JsonObject().put("error", "send the job spec as YAML (Content-Type: application/yaml), not " + mime));
      return;
    }
    String yaml = ctx.body().asString();
    if (yaml == null || yaml.isBlank()) {
      json(ctx, 400, new JsonObject().put("error", "the request body must be a job spec in YAML"));
      return;
    }
    try {
      // ?folder=: the folder of the client's spec file, for relative paths in it (recap submit sends it)
      String folder = ctx.request().getParam("folder");
      if (folder != null && !java.nio.file.Path.of(folder).isAbsolute()) {
        json(ctx, 400, new JsonObject().put("error", "folder must be an absolute path, got '" + folder + "'"));
        return;
      }
      String jobId = coordinator.submit(yaml, "POST /api/jobs", folder == null ? null : java.nio.file.Path.of(folder));
      json(ctx, 201, new JsonObject().put("jobId", jobId).put("id", jobId));
    } catch (SpecException e) {
      JsonArray problems = new JsonArray();
      SpecLines lines = SpecLines.of(yaml);
      e.problems().forEach(p -> {
        JsonObject problem = new JsonObject().put("field", p.field()).put("message", p.message());
        Integer line = lines.line(p.field());
        if (line != null) {
          problem.put("line", line);
        }
        problems.add(problem);
      });
      json(ctx, 400, new JsonObject().put("error", "invalid job spec").put("problems", problems));
    }
  }

  private static void publish(RoutingContext ctx, Vertx vertx, Coordinator coordinator) {
    String name = ctx.request().getParam("name", "plugin.jar");
    if (name.isBlank() || name.length() > 200 || name.contains("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
      json(ctx, 400, new JsonObject().put("error", "name must be the jar's file name (no folders), got '" + name + "'"));
      return;
    }
    byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (bytes.length == 0) {
      json(ctx, 400, new JsonObject().put("error", "the request body must be the plugin jar's bytes"));
      return;
    }
    vertx.executeBlocking(() -> coordinator.publishPlugin(bytes, name), false).onComplete(r -> {
      if (r.succeeded()) {
        json(ctx, r.result().added() ? 201 : 200, new JsonObject().put("published", r.result().jar().toJson()
            .put("shortSha", r.result().jar().shortSha())).put("added", r.result().added()));
      } else if (r.cause() instanceof PluginRejectedException e) {
        json(ctx, e.conflict() ? 409 : 400, new JsonObject().put("error", e.getMessage()));
      } else {
        LOG.warn("publishing plugin jar {} failed: {}", name, r.cause().toString());
        json(ctx, 500, new JsonObject().put("error", "publishing " + name + " failed: " + r.cause().getMessage()));
      }
    });
  }

  private static void results(RoutingContext ctx, Vertx vertx, Coordinator coordinator) {
    String jobId = ctx.pathParam("id");
    Map<String, TaskOutputs> outputs = coordinator.taskOutputs(jobId);
    if (outputs == null) {
      notFound(ctx);
      return;
    }
    vertx.executeBlocking(() -> new JobResults(jobId, outputs).table()).onComplete(r -> {
      if (r.failed()) {
        json(ctx, 500, new JsonObject().put("error", "reading the results of " + jobId + " failed: " + r.cause()));
      } else if (r.result().getJsonArray("rows").isEmpty()) {
        json(ctx, 404, r.result().put("error", "job '" + jobId + "' has no results yet: no finished task sent a valid "
            + "result (docs/results.md)"));
      } else {
        json(ctx, 200, r.result());
      }
    });
  }

  private static void artifact(RoutingContext ctx, Vertx vertx, Coordinator coordinator) {
    String jobId = ctx.pathParam("id");
    Map<String, TaskOutputs> outputs = coordinator.taskOutputs(jobId);
    if (outputs == null) {
      notFound(ctx);
      return;
    }
    String prefix = "/api/jobs/" + jobId + "/artifacts/";
    String raw = ctx.request().path();
    String[] parts = raw.startsWith(prefix) ? raw.substring(prefix.length()).split("/", -1) : new String[0];
    if (parts.length != 3) {
      json(ctx, 400, new JsonObject().put("error", "an artifact is addressed as " + prefix + "<stage>/<task>/<file>"));
      return;
    }
    String[] names = new String[3];
    for (int i = 0; i < 3; i++) {
      String name = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
          || name.indexOf('\0') >= 0) {
        json(ctx, 400, new JsonObject().put("error", "artifact path segment " + (i + 1) + " is not a plain name"));
        return;
      }
      names[i] = name;
    }
    Path file = new JobResults(jobId, outputs).artifact(names[0], names[1], names[2]);
    String root = coordinator.outputRoot(jobId);
    if (file == null || (root != null && !file.toAbsolutePath().normalize().startsWith(Path.of(root).toAbsolutePath().normalize()))) {
      json(ctx, 404, new JsonObject().put("error", "task " + names[0] + "/" + names[1] + " of job " + jobId
          + " has no output named '" + names[2] + "'"));
      return;
    }
    ctx.response().putHeader("Content-Type", contentType(names[2])).sendFile(file.toString());
  }

  static String contentType(String file) {
    String f = file.toLowerCase();
    if (f.endsWith(".png")) {
      return "image/png";
    }
    if (f.endsWith(".jpg") || f.endsWith(".jpeg")) {
      return "image/jpeg";
    }
    if (f.endsWith(".json")) {
      return "application/json";
    }
    if (f.endsWith(".txt") || f.endsWith(".csv")) {
      return "text/plain; charset=utf-8";
    }
    return "application/octet-stream";
  }

  /** A body over the limit (413) and the like answer as JSON; a fault is logged by path only (never headers: the token). */
  private static void failure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status >= 500) {
      LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), String.valueOf(ctx.failure()));
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    String message = status == 413 ? "the request body is larger than "
        + (ctx.request().path().startsWith("/api/plugins") ? PluginStore.MAX_JAR_BYTES : MAX_SPEC_BYTES) + " bytes"
        : status >= 500 ? "internal error; see the coordinator's log" : "request rejected (" + status + ")";
    json(ctx, status, new JsonObject().put("error", message));
  }

  private static void notFound(RoutingContext ctx) {
    json(ctx, 404, new JsonObject().put("error", "no job '" + ctx.pathParam("id") + "'"));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encodePrettily());
  }

  private static String error(String message) {
    return new JsonObject().put("error", message).encode();
  }
}
