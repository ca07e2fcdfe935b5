package dev.recap.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.testing.PluginJar;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP API on a real coordinator with one real worker running smoke tasks that write results. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {

  private static final String TOKEN = "test-token-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newHttpClient();
  private Path dir;
  private List<RecapCluster> members;
  private Coordinator coordinator;
  private WorkerLauncher.RunningWorker worker;
  private HttpServer server;
  private String origin;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("recap-rest");
    members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(), Coordinator.Options.defaults(dir.resolve("state")));
    server = RestApi.start(members.get(0).vertx(), coordinator, TOKEN, "127.0.0.1", 0);
    origin = "http://127.0.0.1:" + server.actualPort();
    worker = WorkerLauncher.find().launch(members.get(1),
        new WorkerLauncher.Settings("worker-1", dir.resolve("no-plugins"), dir.resolve("artifacts"), 1));
  }

  @AfterAll
  void stop() {
    if (worker != null) {
      worker.close();
    }
    server.close();
    coordinator.close();
    members.get(1).close();
    members.get(0).close();
  }

  private HttpResponse<byte[]> get(String path, boolean withToken) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + path)).timeout(WAIT);
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonObject getJson(String path, int expectedStatus) throws Exception {
    HttpResponse<byte[]> r = get(path, true);
    assertEquals(expectedStatus, r.statusCode(), "GET " + path + ": " + new String(r.body()));
    return new JsonObject(new String(r.body()));
  }

  private HttpResponse<String> post(String body, String contentType) throws Exception {
    return post("/api/jobs", body, contentType);
  }

  private HttpResponse<String> post(String path, String body, String contentType) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(origin + path)).timeout(WAIT)
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String submitAndWait(String yaml) throws Exception {
    HttpResponse<String> r = post(yaml, "application/yaml");
    assertEquals(201, r.statusCode(), r.body());
    String jobId = new JsonObject(r.body()).getString("jobId");
    assertEquals("SUCCEEDED", coordinator.completion(jobId).get(60, TimeUnit.SECONDS).state());
    return jobId;
  }

  @Test
  void theConsoleLoadsWithoutATokenButNoApiRouteDoes() throws Exception {
    assertEquals(200, get("/console/", false).statusCode());
    assertEquals(200, get("/console/js/app.js", false).statusCode());
    for (String path : List.of("/api/jobs", "/api/workers", "/api/plugins", "/api/stream", "/metrics",
        "/api/jobs/x/artifacts/a/b/c")) {
      assertEquals(401, get(path, false).statusCode(), path);
    }
    assertEquals(200, get("/api/plugins", true).statusCode());
  }

  @Test
  void publishingAPluginNeedsTheTokenIsIdempotentAndRefusesAJarWithoutDescriptor() throws Exception {
    byte[] jar = Files.readAllBytes(PluginJar.write(Files.createTempDirectory(dir, "jar"), "acme-empty", "0.0.1", "acme",
        null, java.util.Map.of(), List.of()));
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(origin + "/api/plugins?name=acme.jar"))
        .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode(), anonymous.body());
    assertTrue(coordinator.publishedPluginsJson().isEmpty(), "nothing published without the token");

    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    Path file = Files.write(dir.resolve("acme-empty-0.0.1.jar"), jar);
    int code = dev.recap.coordinator.cli.RecapCli.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
        "plugin", "push", file.toString(), "--api", origin, "--token", TOKEN);
    assertEquals(0, code, err.toString());
    String sha = dev.recap.coordinator.plugin.PluginStore.sha256(jar);
    assertTrue(out.toString().startsWith("published acme-empty@0.0.1 (sha-256 " + sha), out.toString());
    HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(origin + "/api/plugins?name=copy.jar"))
        .timeout(WAIT).header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, again.statusCode(), again.body());
    assertFalse(new JsonObject(again.body()).getBoolean("added"));

    HttpResponse<String> noDescriptor = http.send(HttpRequest.newBuilder(URI.create(origin + "/api/plugins?name=notes.jar"))
        .timeout(WAIT).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofByteArray(emptyJar())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, noDescriptor.statusCode(), noDescriptor.body());
    assertTrue(new JsonObject(noDescriptor.body()).getString("error").startsWith("'notes.jar' has no PF4J plugin descriptor"),
        noDescriptor.body());

    JsonArray published = getJson("/api/plugins", 200).getJsonArray("published");
    assertEquals(1, published.size(), published.encodePrettily());
    assertEquals(sha, published.getJsonObject(0).getString("sha256"));
    out.getBuffer().setLength(0);
    assertEquals(0, dev.recap.coordinator.cli.RecapCli.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
        "plugin", "list", "--api", origin, "--token", TOKEN), err.toString());
    assertTrue(out.toString().contains("acme-empty") && out.toString().contains(sha.substring(0, 12)), out.toString());
  }

  private static byte[] emptyJar() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(bytes, manifest)) {
      jar.putNextEntry(new java.util.jar.JarEntry("notes.txt"));
      jar.write("no plugin here".getBytes());
      jar.closeEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void resultsTableAndPredictionImagesComeFromTheTasksResultFiles() throws Exception {
    String jobId = submitAndWait("""
        name: results
        stages:
          - name: evaluate
            kind: smoke
            tasks: 3
            writeResult: true
        """);
    JsonObject job = getJson("/api/jobs/" + jobId, 200);
    List<String> kinds = job.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("kind")).toList();
    assertTrue(kinds.containsAll(List.of("SUBMITTED", "STAGE_PLANNED", "STAGE_DONE", "JOB_SUCCEEDED")), kinds.toString());
    JsonArray throughput = job.getJsonObject("series").getJsonArray("evaluate/images_per_sec");
    assertEquals(3, throughput.size(), job.getJsonObject("series").encode());
    assertNotNull(job.getJsonArray("stages").getJsonObject(0).getDouble("samplesPerSec"));

    JsonObject results = getJson("/api/jobs/" + jobId + "/results", 200);
    assertEquals(3, results.getJsonArray("rows").size(), results.encode());
    assertTrue(results.getJsonArray("columns").contains("mIoU"), results.encode());
    assertEquals(List.of("smoke-0", "smoke-1", "smoke-0"),
        results.getJsonArray("rows").stream().map(r -> ((JsonObject) r).getString("run")).toList());
    double miou = results.getJsonArray("rows").getJsonObject(0).getJsonObject("metrics").getDouble("mIoU");
    assertTrue(miou > 0 && miou <= 1, "mIoU " + miou);
    assertEquals(3, results.getJsonArray("images").size());
    assertTrue(results.getJsonArray("problems").isEmpty(), results.encode());

    String url = results.getJsonArray("images").getJsonObject(0).getString("url");
    HttpResponse<byte[]> png = get(url, true);
    assertEquals(200, png.statusCode(), url);
    assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png.body(), 4));
    assertEquals(401, get(url, false).statusCode(), "artifacts need the token");
  }

  @Test
  void artifactUrlsReachOnlyTheJobsRecordedOutputs() throws Exception {
    String jobId = submitAndWait("""
        name: files
        stages:
          - name: make
            kind: smoke
            tasks: 1
        """);
    String base = "/api/jobs/" + jobId + "/artifacts/";
    assertEquals(200, get(base + "make/00000/out-0.txt", true).statusCode());
    // the journal sits beside the artifacts; no spelling of a path may reach it
    for (String attempt : List.of("make/00000/..%2F..%2F..%2Fstate%2Fjournal.jsonl", "make/%2E%2E/journal.jsonl",
        "..%2F..%2Fstate/x/journal.jsonl", "make/00000/%2e%2e", "make/00000", "make/00000/out-0.txt/x")) {
      int status = get(base + attempt, true).statusCode();
      assertTrue(status == 400 || status == 404, attempt + " answered " + status);
    }
    assertEquals(404, get(base + "make/00000/result.json", true).statusCode(), "not written: no result");
    assertEquals(404, get("/api/jobs/" + jobId + "/results", true).statusCode(), "no result.json yet: 404");
    assertEquals(404, get("/api/jobs/no-such-job/artifacts/make/00000/out-0.txt", true).statusCode());
    assertEquals(400, get("/api/jobs/bad%20id/results", true).statusCode());
  }

  @Test
  void submissionsAreTypedAndSizeLimited() throws Exception {
    assertEquals(415, post("name: x", "application/x-www-form-urlencoded").statusCode());
    assertEquals(413, post("#".repeat(RestApi.MAX_SPEC_BYTES + 1), "application/yaml").statusCode());
    HttpResponse<String> bad = post("name: x\nstages: []\n", "application/yaml");
    assertEquals(400, bad.statusCode());
    assertFalse(new JsonObject(bad.body()).getJsonArray("problems").isEmpty());
    HttpResponse<String> unknown = post("""
        name: x
        stages:
          - name: a
            kind: smoke
          - name: b
            kind: smoke
            requires: [vit, no-such-plugin]
        """, "application/yaml");
    assertEquals(400, unknown.statusCode());
    JsonObject problem = new JsonObject(unknown.body()).getJsonArray("problems").getJsonObject(0);
    assertEquals("stages[1].requires[0]", problem.getString("field"), unknown.body());
    assertEquals(7, problem.getInteger("line"), "the line of the field, for the editor: " + unknown.body());
  }

  @Test
  void relativeShardPathsResolveAgainstTheFolderTheClientSends() throws Exception {
    String spec = "name: own\nstages:\n  - {name: data, kind: dataset, shards: 'shards/*.tar'}\n";
    HttpResponse<String> noFolder = post(spec, "application/yaml");
    assertEquals(400, noFolder.statusCode());
    assertTrue(noFolder.body().contains("is a relative path, but this spec came from no file"), noFolder.body());
    HttpResponse<String> relativeFolder = post("/api/jobs?folder=specs", spec, "application/yaml");
    assertEquals(400, relativeFolder.statusCode());
    assertTrue(relativeFolder.body().contains("folder must be an absolute path"), relativeFolder.body());
    Path folder = Files.createDirectories(dir.resolve("client specs"));
    HttpResponse<String> nothingThere = post("/api/jobs?folder=" + java.net.URLEncoder.encode(folder.toString(),
        java.nio.charset.StandardCharsets.UTF_8), spec, "application/yaml");
    assertEquals(400, nothingThere.statusCode());
    JsonObject problem = new JsonObject(nothingThere.body()).getJsonArray("problems").getJsonObject(0);
    assertEquals("stages[0].shards", problem.getString("field"));
    assertTrue(problem.getString("message").contains("matches no file: looked for " + folder.resolve("shards/*.tar")),
        problem.getString("message"));
  }

  @Test
  void aWorkerLeavingMidJobIsLoggedWithTheRetryItCaused() throws Exception {
    RecapCluster extra = RecapCluster.start(members.get(0).options().copy().addMember(members.get(0).address()));
    WorkerLauncher.RunningWorker leaving = WorkerLauncher.find().launch(extra,
        new WorkerLauncher.Settings("worker-leaving", dir.resolve("no-plugins"), dir.resolve("artifacts"), 1));
    HttpResponse<String> r = post("""
        name: membership
        stages:
          - name: make
            kind: smoke
            tasks: 2
            sleepMillis: 3000
        """, "application/yaml");
    assertEquals(201, r.statusCode(), r.body());
    String jobId = new JsonObject(r.body()).getString("jobId");
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (getJson("/api/workers", 200).getJsonArray("workers").stream().map(w -> (JsonObject) w)
        .noneMatch(w -> w.getString("workerId").equals("worker-leaving") && w.getInteger("leases") > 0)) {
      assertTrue(System.currentTimeMillis() < deadline, "worker-leaving never got a task");
      Thread.sleep(50);
    }
    extra.close(); // the member leaves with its lease; the coordinator re-queues the task
    leaving.close();
    assertEquals("SUCCEEDED", coordinator.completion(jobId).get(60, TimeUnit.SECONDS).state());
    List<String> events = getJson("/api/jobs/" + jobId, 200).getJsonArray("events").stream()
        .map(e -> ((JsonObject) e).getString("kind") + " " + ((JsonObject) e).getString("message")).toList();
    assertTrue(events.stream().anyMatch(e -> e.startsWith("WORKER_LEFT worker worker-leaving left")), events.toString());
    assertTrue(events.stream().anyMatch(e -> e.startsWith("TASK_RETRIED worker worker-leaving left")), events.toString());
  }

  @Test
  void theStreamCarriesJobEventsAndMetricsAsTheyHappen() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(origin + "/api/stream"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    Thread reader = new Thread(() -> {
      try {
        stream.body().forEach(lines::add);
      } catch (java.io.UncheckedIOException closedByTheTest) {
        // the test closes the stream when it has seen enough
      }
    }, "sse-reader");
    reader.setDaemon(true);
    reader.start();
    String jobId = submitAndWait("""
        name: streamed
        stages:
          - name: evaluate
            kind: smoke
            tasks: 1
            writeResult: true
        """);
    List<JsonObject> seen = new ArrayList<>();
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (System.currentTimeMillis() < deadline
        && seen.stream().noneMatch(m -> "event".equals(m.getString("type")) && "JOB_SUCCEEDED".equals(m.getString("kind")))) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && line.startsWith("data: ")) {
        seen.add(new JsonObject(line.substring(6)));
      }
    }
    assertTrue(seen.stream().anyMatch(m -> "metric".equals(m.getString("type")) && jobId.equals(m.getString("jobId"))
        && "evaluate/images_per_sec".equals(m.getString("series")) && m.getDouble("value") > 0), seen.toString());
    assertTrue(seen.stream().anyMatch(m -> "job".equals(m.getString("type")) && jobId.equals(m.getString("jobId"))), seen.toString());
    assertTrue(seen.stream().anyMatch(m -> "JOB_SUCCEEDED".equals(m.getString("kind"))), seen.toString());
    stream.body().close();
  }
}
