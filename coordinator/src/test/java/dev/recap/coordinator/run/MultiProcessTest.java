package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: a coordinator JVM and worker JVMs started from the CLI main on loopback, one
 * of them SIGKILLed mid-job. Outputs are counted on disk and completions in the journal.
 */
class MultiProcessTest {

  @TempDir
  Path tmp;

  private ProcessCluster cluster;

  @BeforeEach
  void cluster() {
    cluster = new ProcessCluster(tmp, "recap-mp-", "256m", 90);
  }

  @AfterEach
  void killAll() {
    cluster.close();
  }

  @Test
  void aWorkerKilledMidJobLosesNoTaskAndDuplicatesNone() throws Exception {
    Path state = tmp.resolve("state");
    Path artifacts = tmp.resolve("artifacts");
    String api = startCoordinator(state, "c1");
    String clusterAddress = new JsonObject(Files.readString(state.resolve("coordinator.json"))).getString("cluster");
    Process w1 = startWorker(clusterAddress, "w1");
    startWorker(clusterAddress, "w2");
    await("two workers", () -> get(api, "/api/workers").getJsonArray("workers").size() == 2, 90);

    HttpResponse<String> unauthorized = cluster.http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs"))
        .POST(HttpRequest.BodyPublishers.ofString("name: x")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, unauthorized.statusCode());
    HttpResponse<String> invalid = cluster.http.send(cluster.request(api, "/api/jobs").POST(HttpRequest.BodyPublishers.ofString(
        "name: bad\nstages:\n  - name: s\n    kind: smoke\n    tasks: lots\n")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, invalid.statusCode(), invalid.body());
    assertEquals("stages[0].tasks", new JsonObject(invalid.body()).getJsonArray("problems").getJsonObject(0).getString("field"));

    String jobId = cluster.submit(api, "name: mp\noutput: " + artifacts + "\nleaseSeconds: 4\nstages:\n"
        + "  - name: make\n    kind: smoke\n    tasks: 24\n    sleepMillis: 400\n");
    await("w1 holding leases after some progress", () -> {
      JsonObject w = worker(get(api, "/api/workers"), "w1");
      return w != null && w.getInteger("leases") > 0 && get(api, "/api/jobs/" + jobId).getInteger("tasksDone") >= 4;
    }, 90);
    w1.destroyForcibly(); // SIGKILL
    JsonObject done = cluster.awaitJob(api, jobId, 120);

    assertEquals("SUCCEEDED", done.getString("state"), done.encode());
    assertEquals(24, done.getInteger("tasksDone"));
    assertTrue(done.getInteger("retries") >= 1, "the killed worker's leases were re-queued: " + done.encode());
    assertEquals(24, outputs(artifacts.resolve(jobId)).size(), "one output per task");
    assertExactlyOnceInJournal(state, jobId, 24);
    String metrics = cluster.http.send(cluster.request(api, "/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("recap_tasks_retried_total"), metrics);

    java.io.StringWriter out = new java.io.StringWriter();
    int code = dev.recap.coordinator.cli.RecapCli.execute(new java.io.PrintWriter(out),
        new java.io.PrintWriter(new java.io.StringWriter()), "status", "--state", state.toString());
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains(jobId) && out.toString().contains("SUCCEEDED"), out.toString());
  }

  @Test
  void aCoordinatorKilledMidJobIsRestartedAndFinishesFromItsJournal() throws Exception {
    Path state = tmp.resolve("state");
    Path artifacts = tmp.resolve("artifacts");
    Process c1 = null;
    String api = startCoordinator(state, "c1");
    c1 = cluster.last();
    String clusterAddress = new JsonObject(Files.readString(state.resolve("coordinator.json"))).getString("cluster");
    Process w1 = startWorker(clusterAddress, "w1");
    String workerAddress = cluster.awaitLine(tmp.resolve("w1.log"), "joined cluster", 90).replaceAll(".* at ", "").trim();
    await("the worker", () -> get(api, "/api/workers").getJsonArray("workers").size() == 1, 90);

    String jobId = cluster.submit(api, "name: restart\noutput: " + artifacts + "\nstages:\n"
        + "  - name: make\n    kind: smoke\n    tasks: 20\n    sleepMillis: 300\n");
    String firstApi = api;
    await("some tasks done", () -> get(firstApi, "/api/jobs/" + jobId).getInteger("tasksDone") >= 5, 90);
    c1.destroyForcibly(); // SIGKILL
    c1.waitFor();
    Set<String> doneBefore = doneTasks(state, jobId);
    Map<Path, FileTime> before = new HashMap<>();
    for (Path p : outputs(artifacts.resolve(jobId))) {
      String taskDir = p.getParent().getFileName().toString();
      if (doneBefore.stream().anyMatch(t -> t.replaceAll("[^A-Za-z0-9._-]", "_").equals(taskDir))) {
        before.put(p, Files.getLastModifiedTime(p));
      }
    }
    assertTrue(before.size() >= 5, "outputs of journaled tasks exist: " + before.size());

    Files.delete(state.resolve("coordinator.json"));
    String api2 = startCoordinator(state, "c2", "--join", workerAddress);
    JsonObject done = cluster.awaitJob(api2, jobId, 120);
    assertEquals("SUCCEEDED", done.getString("state"), done.encode());
    assertEquals(20, done.getInteger("tasksDone"));
    assertEquals(20, outputs(artifacts.resolve(jobId)).size());
    assertExactlyOnceInJournal(state, jobId, 20);
    for (Map.Entry<Path, FileTime> e : before.entrySet()) {
      assertEquals(e.getValue(), Files.getLastModifiedTime(e.getKey()), "finished task redone: " + e.getKey());
    }
    // the job's events log survives the restart: what the first coordinator logged, then the recovery
    List<String> kinds = get(api2, "/api/jobs/" + jobId).getJsonArray("events").stream()
        .map(o -> ((JsonObject) o).getString("kind")).toList();
    assertEquals("SUBMITTED", kinds.get(0), kinds.toString());
    assertTrue(kinds.indexOf("RECOVERED") > kinds.indexOf("STAGE_PLANNED"), kinds.toString());
    assertEquals("JOB_SUCCEEDED", kinds.get(kinds.size() - 1), kinds.toString());
    assertTrue(w1.isAlive());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private String startCoordinator(Path state, String name, String... extra) throws Exception {
    return cluster.startCoordinator(state, name, extra);
  }

  private Process startWorker(String clusterAddress, String id) throws Exception {
    return cluster.startWorker(clusterAddress, id, tmp.resolve("no-plugins"));
  }

  private void await(String what, ProcessCluster.Condition c, int seconds) throws Exception {
    cluster.await(what, c, seconds);
  }

  private JsonObject get(String api, String path) throws Exception {
    return cluster.get(api, path);
  }

  private static JsonObject worker(JsonObject workers, String id) {
    JsonArray all = workers.getJsonArray("workers");
    for (int i = 0; i < all.size(); i++) {
      if (all.getJsonObject(i).getString("workerId").equals(id)) {
        return all.getJsonObject(i);
      }
    }
    return null;
  }

  private static List<Path> outputs(Path jobDir) throws IOException {
    try (Stream<Path> files = Files.walk(jobDir)) {
      return files.filter(Files::isRegularFile).filter(((Predicate<Path>) p -> p.getFileName().toString().startsWith("out-")))
          .toList();
    }
  }

  private static List<JsonObject> journal(Path state) throws IOException {
    List<JsonObject> records = new ArrayList<>();
    for (String line : Files.readAllLines(state.resolve("journal.jsonl"))) {
      if (!line.isBlank()) {
        records.add(new JsonObject(line));
      }
    }
    return records;
  }

  private static Set<String> doneTasks(Path state, String jobId) throws IOException {
    Set<String> done = new HashSet<>();
    for (JsonObject r : journal(state)) {
      if ("done".equals(r.getString("type")) && jobId.equals(r.getString("jobId"))) {
        done.add(r.getString("taskId"));
      }
    }
    return done;
  }

  private static void assertExactlyOnceInJournal(Path state, String jobId, int tasks) throws IOException {
    List<String> done = journal(state).stream()
        .filter(r -> "done".equals(r.getString("type")) && jobId.equals(r.getString("jobId")))
        .map(r -> r.getString("taskId")).toList();
    assertEquals(tasks, done.size(), "completions journaled: " + done);
    assertEquals(tasks, new HashSet<>(done).size(), "no task completed twice");
  }
}
