package dev.recap.coordinator.console;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;

/**
 * A stand-in for the coordinator's HTTP API, for developing the console only: it answers the
 * contract the console consumes (workers, jobs, results, plugins, submit, SSE stream) from memory,
 * with a submitted job that advances on a timer and made-up metrics. It is NOT the coordinator and
 * proves nothing about it; the end-to-end browser test runs against the real coordinator.
 *
 * <p>{@link #main} serves it on port 8089 and writes screenshots of every page to
 * {@code coordinator/target/console-preview/}.
 */
public final class ConsoleTestServer implements AutoCloseable {

    private static final List<String> STAGE_NAMES = List.of("curate", "pretrain", "evaluate");

    private final Vertx vertx = Vertx.vertx();
    private final String token;
    private final HttpServer server;
    private final Map<String, JsonObject> jobs = new ConcurrentHashMap<>();
    private final List<HttpServerResponse> streams = new CopyOnWriteArrayList<>();
    /** Every request line the API received, to check that the token never travels in a URL. */
    public final List<String> requestUris = new CopyOnWriteArrayList<>();
    private volatile boolean streamEnabled = true;
    private int nextJob = 1;

    public ConsoleTestServer(String token) {
        this.token = token;
        Router router = Router.router(vertx);
        ConsoleRoutes.mount(router);
        router.route("/api/*").handler(this::authorize);
        router.get("/api/workers").handler(ctx -> json(ctx, 200, workers()));
        router.get("/api/plugins").handler(ctx -> json(ctx, 200, plugins()));
        router.get("/api/jobs").handler(ctx -> json(ctx, 200, new JsonArray(jobs.values().stream()
                .map(j -> j.copy().put("events", null).put("series", null)).toList())));
        router.get("/api/jobs/:id").handler(ctx -> {
            JsonObject job = jobs.get(ctx.pathParam("id"));
            json(ctx, job == null ? 404 : 200, job == null ? new JsonObject().put("error", "no such job") : job);
        });
        router.get("/api/jobs/:id/results").handler(this::results);
        router.get("/api/jobs/:id/artifacts/:name").handler(this::artifact);
        router.post("/api/jobs").handler(BodyHandler.create().setBodyLimit(256 * 1024)).handler(this::submit);
        router.get("/api/stream").handler(this::stream);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().join();
        vertx.setPeriodic(200, id -> advanceJobs());
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Makes /api/stream answer 503, so the console must fall back to polling. */
    public void disableStream() {
        streamEnabled = false;
    }

    private void authorize(RoutingContext ctx) {
        requestUris.add(ctx.request().uri());
        if (!("Bearer " + token).equals(ctx.request().getHeader("Authorization"))) {
            json(ctx, 401, new JsonObject().put("error", "missing or wrong token"));
            return;
        }
        ctx.next();
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode());
    }

    private JsonArray workers() {
        long now = System.currentTimeMillis();
        JsonArray plugins = new JsonArray(List.of(
                plugin("vit", "ImageEncoder"), plugin("mci", "ImageEncoder"), plugin("text-transformer", "TextEncoder"),
                plugin("grounded-captioner", "Captioner"), plugin("linear-head", "DenseHead"), plugin("synthetic-scenes", "SampleSource")));
        String task = jobs.values().stream().filter(j -> "RUNNING".equals(j.getString("state")))
                .map(j -> j.getString("id") + "/pretrain/3").findFirst().orElse(null);
        return new JsonArray(List.of(
                new JsonObject().put("id", "worker-a").put("host", "127.0.0.1").put("device", "cpu").put("cores", 2)
                        .put("memoryMb", 12288).put("plugins", plugins).put("currentTask", task).put("lastHeartbeat", now - 800),
                new JsonObject().put("id", "worker-b").put("host", "127.0.0.1").put("device", "cpu").put("cores", 2)
                        .put("memoryMb", 12288).put("plugins", plugins).putNull("currentTask").put("lastHeartbeat", now - 1900)));
    }

    private static JsonObject plugin(String id, String point) {
        return new JsonObject().put("id", id).put("version", "0.1.0").put("extensionPoint", point);
    }

    private JsonArray plugins() {
        JsonArray out = new JsonArray();
        for (Object o : workers().getJsonObject(0).getJsonArray("plugins")) {
            JsonObject p = ((JsonObject) o).copy();
            out.add(p.put("workers", new JsonArray(List.of("worker-a", "worker-b")))
                    .put("conformance", p.getString("id").equals("mci") ? "unknown" : "pass"));
        }
        return out;
    }

    private void submit(RoutingContext ctx) {
        String yaml = ctx.body().asString();
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("nope")) {
                json(ctx, 400, new JsonObject().put("errors", new JsonArray().add(new JsonObject()
                        .put("field", "stages.pretrain.encoder.plugin").put("line", i + 1)
                        .put("message", "unknown plugin 'nope'; the workers offer: mci, vit"))));
                return;
            }
        }
        String id = "job-" + nextJob++;
        JsonArray stages = new JsonArray();
        int[] totals = {4, 6, 3};
        for (int s = 0; s < STAGE_NAMES.size(); s++) {
            stages.add(new JsonObject().put("name", STAGE_NAMES.get(s)).put("kind", STAGE_NAMES.get(s))
                    .put("state", "QUEUED").put("tasksDone", 0).put("tasksTotal", totals[s])
                    .put("samplesPerSec", 0.0).put("etaSeconds", null));
        }
        JsonObject series = new JsonObject();
        for (String name : List.of("loss", "logit_scale", "lr", "images_per_sec")) {
            series.put("pretrain/" + name, new JsonArray());
        }
        jobs.put(id, new JsonObject().put("id", id).put("name", "caption-quality (preview)").put("state", "RUNNING")
                .put("submittedAt", System.currentTimeMillis()).put("stages", stages)
                .put("events", new JsonArray().add(event("info", "job", "job " + id + " accepted: 13 tasks in 3 stages")))
                .put("series", series));
        json(ctx, 201, new JsonObject().put("id", id));
        publish(new JsonObject().put("type", "job").put("jobId", id));
    }

    private static JsonObject event(String level, String kind, String message) {
        return new JsonObject().put("time", System.currentTimeMillis()).put("level", level).put("kind", kind).put("message", message);
    }

    /** One task per tick; pretrain tasks add training-curve points. */
    private void advanceJobs() {
        for (JsonObject job : jobs.values()) {
            if (!"RUNNING".equals(job.getString("state"))) {
                continue;
            }
            JsonArray stages = job.getJsonArray("stages");
            for (int s = 0; s < stages.size(); s++) {
                JsonObject stage = stages.getJsonObject(s);
                int done = stage.getInteger("tasksDone");
                int total = stage.getInteger("tasksTotal");
                if (done >= total) {
                    continue;
                }
                stage.put("state", "RUNNING").put("tasksDone", done + 1).put("samplesPerSec", 180.0 + 10 * done)
                        .put("etaSeconds", (total - done - 1) * 0.2);
                if (stage.getString("name").equals("pretrain")) {
                    addTrainingPoints(job, done);
                }
                if (done == 1 && s == 0) {
                    job.getJsonArray("events").add(event("warn", "sample-skipped", "skipped sample scene-000417: caption is empty after cleaning"));
                }
                if (done == 2 && s == 1) {
                    job.getJsonArray("events").add(event("warn", "retry", "task pretrain/2 lease expired on worker-b; re-queued (attempt 2 of 3)"));
                }
                if (done + 1 == total) {
                    stage.put("state", "SUCCEEDED").put("etaSeconds", 0);
                    job.getJsonArray("events").add(event("info", "stage", "stage " + stage.getString("name") + " finished"));
                    if (s == stages.size() - 1) {
                        job.put("state", "SUCCEEDED");
                    }
                }
                publish(new JsonObject().put("type", "job").put("jobId", job.getString("id")));
                break;
            }
        }
    }

    private void addTrainingPoints(JsonObject job, int task) {
        JsonObject series = job.getJsonObject("series");
        for (int i = 0; i < 500; i++) {
            int step = task * 500 + i;
            series.getJsonArray("pretrain/loss").add(new JsonArray().add(step).add(5.5 * Math.exp(-step / 1200.0) + 0.4));
            series.getJsonArray("pretrain/logit_scale").add(new JsonArray().add(step).add(14.3 + step * 0.0025));
            series.getJsonArray("pretrain/lr").add(new JsonArray().add(step).add(step < 300 ? 5e-4 * step / 300 : 5e-4 * Math.cos(step / 4000.0)));
            series.getJsonArray("pretrain/images_per_sec").add(new JsonArray().add(step).add(170 + 20 * Math.sin(step / 140.0) + 5 * Math.sin(step * 1.3)));
        }
    }

    private void results(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject job = jobs.get(id);
        if (job == null || !"SUCCEEDED".equals(job.getString("state"))) {
            json(ctx, 404, new JsonObject().put("error", "no results yet"));
            return;
        }
        JsonArray rows = new JsonArray();
        JsonArray images = new JsonArray();
        String[][] runs = {{"alt-text-vit", "vit", "alt-text"}, {"grounded-vit", "vit", "grounded"},
            {"learned-vit", "vit", "learned"}, {"grounded-mci", "mci", "grounded"}, {"mae-vit", "vit", "none (MAE)"}};
        Random random = new Random(7);
        for (int seed = 1; seed <= 2; seed++)
        for (String[] run : runs) {
            double quality = run[2].equals("grounded") ? 1.0 : run[2].equals("learned") ? 0.7 : 0.0;
            rows.add(new JsonObject().put("run", run[0]).put("encoder", run[1]).put("captions", run[2]).put("seed", seed)
                    .put("metrics", new JsonObject().put("mIoU", 24 + 2 * quality + random.nextDouble()).put("pixelAcc", 0.61 + 0.03 * quality)
                            .put("rmse", 1.85 - 0.2 * quality).put("absRel", 0.31 - 0.03 * quality).put("delta1", 0.52 + 0.05 * quality)
                            .put("r1", run[2].startsWith("none") ? null : 0.05 + 0.4 * quality).put("r5", run[2].startsWith("none") ? null : 0.2 + 0.5 * quality))
                    .put("perClassIoU", new JsonObject().put("sky", 0.8 + 0.02 * quality).put("ground", 0.6 + 0.03 * quality)
                            .put("box", 0.2 + 0.05 * quality).put("sphere", 0.15 + 0.04 * quality)));
            if (seed == 1) images.add(new JsonObject().put("run", run[0]).put("kind", "segmentation").put("url", "/api/jobs/" + id + "/artifacts/" + run[0] + "-seg.png"));
        }
        images.add(new JsonObject().put("run", "grounded-vit").put("kind", "depth").put("url", "/api/jobs/" + id + "/artifacts/grounded-vit-depth.png"));
        json(ctx, 200, new JsonObject().put("columns", new JsonArray(List.of("mIoU", "pixelAcc", "rmse", "absRel", "delta1", "r1", "r5")))
                .put("rows", rows).put("images", images));
    }

    private void artifact(RoutingContext ctx) {
        // three 64 px panels, input | truth | prediction, drawn from the name so each run differs
        BufferedImage image = new BufferedImage(192, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        Random random = new Random(ctx.pathParam("name").hashCode());
        for (int panel = 0; panel < 3; panel++) {
            g.setColor(new Color(90, 140, 200));
            g.fillRect(panel * 64, 0, 64, 40);
            g.setColor(new Color(110, 90, 60));
            g.fillRect(panel * 64, 40, 64, 24);
            g.setColor(panel == 0 ? Color.ORANGE : Color.RED);
            int jitter = panel == 2 ? random.nextInt(6) : 0;
            g.fillRect(panel * 64 + 18 + jitter, 22, 22, 22);
        }
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.response().putHeader("Content-Type", "image/png").end(io.vertx.core.buffer.Buffer.buffer(png.toByteArray()));
    }

    private void stream(RoutingContext ctx) {
        if (!streamEnabled) {
            ctx.response().setStatusCode(503).end();
            return;
        }
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        response.write(": connected\n\n");
        streams.add(response);
        response.closeHandler(v -> streams.remove(response));
    }

    private void publish(JsonObject event) {
        String frame = "data: " + event.encode() + "\n\n";
        for (HttpServerResponse response : streams) {
            response.write(frame);
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Serves the stand-in and screenshots every page into coordinator/target/console-preview/. */
    public static void main(String[] args) throws Exception {
        String token = "preview-token";
        try (ConsoleTestServer server = new ConsoleTestServer(token);
             BrowserHarness browser = BrowserHarness.start(Paths.get("target/console-preview"))) {
            System.out.println("console: " + server.baseUrl() + "/console/#token=" + token);
            ConsolePage console = new ConsolePage(browser, server.baseUrl());
            console.openWithToken(token);
            console.awaitWorkers(2, Duration.ofSeconds(10));
            browser.screenshot("cluster");
            console.pluginRows();
            browser.screenshot("plugins");
            List<String> errors = console.submitExpectingErrors("name: preview\nstages:\n  pretrain:\n    encoder:\n      plugin: nope\n", Duration.ofSeconds(10));
            System.out.println("errors: " + errors);
            browser.screenshot("submit-errors");
            String job = console.submit("name: preview\nstages:\n  pretrain:\n    encoder:\n      plugin: vit\n", Duration.ofSeconds(10));
            Thread.sleep(1500);
            browser.screenshot("job-running");
            console.awaitJobPercent(job, 100, Duration.ofSeconds(30));
            browser.screenshot("job");
            console.go("jobs");
            browser.screenshot("jobs");
            console.awaitResultRuns(job, Duration.ofSeconds(10));
            console.awaitPredictionImage(Duration.ofSeconds(10));
            Path shot = browser.screenshot("results");
            System.out.println("screenshots in " + shot.getParent().toAbsolutePath() + "; browser log: " + browser.browserLog());
            if (args.length > 0 && args[0].equals("--serve")) {
                System.out.println("serving until killed");
                Thread.currentThread().join();
            }
        }
    }
}
