package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Real processes for the multi-process tests: coordinator and worker JVMs started from the CLI
 * main on loopback in one cluster, each logging to {@code <dir>/<name>.log}, and the REST calls
 * and waits those tests make. {@link #close()} SIGKILLs every process still running.
 */
final class ProcessCluster implements AutoCloseable {

  /** A condition polled by {@link #await}; an exception counts as "not yet" and is reported on timeout. */
  interface Condition {
    boolean holds() throws Exception;
  }

  final String token = "test-token-" + UUID.randomUUID();
  final HttpClient http = HttpClient.newHttpClient();
  private final Path dir;
  private final String clusterName;
  private final String heap;
  private final int startSeconds;
  private final List<Process> processes = new ArrayList<>();

  /**
   * @param dir where the processes' logs go
   * @param namePrefix the cluster name's prefix (a random suffix keeps parallel runs apart)
   * @param heap each JVM's {@code -Xmx}
   * @param startSeconds how long a coordinator may take to come up
   */
  ProcessCluster(Path dir, String namePrefix, String heap, int startSeconds) {
    this.dir = dir;
    this.clusterName = namePrefix + UUID.randomUUID().toString().substring(0, 8);
    this.heap = heap;
    this.startSeconds = startSeconds;
  }

  /** Starts a coordinator with its state in {@code state}; returns its API URL once it wrote coordinator.json. */
  String startCoordinator(Path state, String name, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("coordinator", "--cluster-name", clusterName, "--state", state.toString(),
        "--http-port", "0", "--failure-seconds", "3", "--token", token));
    args.addAll(List.of(extra));
    start(name, args);
    Path info = state.resolve("coordinator.json");
    await(name + " to write " + info, () -> Files.exists(info), startSeconds);
    return new JsonObject(Files.readString(info)).getString("api");
  }

  /** The process started last. */
  Process last() {
    return processes.get(processes.size() - 1);
  }

  /** Starts a worker with 2 slots joining {@code cluster}, plugins from {@code plugins}. */
  Process startWorker(String cluster, String id, Path plugins) throws Exception {
    return start(id, List.of("worker", "--join", cluster, "--cluster-name", clusterName, "--id", id, "--slots", "2",
        "--failure-seconds", "3", "--plugins", plugins.toString(), "--artifacts", dir.resolve("worker-artifacts").toString()));
  }

  private Process start(String name, List<String> args) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx" + heap, "-Djava.net.preferIPv4Stack=true",
        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
        "-cp", classPath, "dev.recap.coordinator.cli.RecapCli"));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    processes.add(p);
    return p;
  }

  /** Polls {@code c} until it holds; fails after {@code seconds} with the last error and the processes' log tails. */
  void await(String what, Condition c, int seconds) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (c.holds()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100);
    }
    fail("timed out waiting for " + what + (last == null ? "" : " (last error " + last + ")") + logs());
  }

  /** The first line of {@code log} containing {@code text}, once there is one. */
  String awaitLine(Path log, String text, int seconds) throws Exception {
    String[] found = new String[1];
    await(text + " in " + log, () -> {
      if (!Files.exists(log)) {
        return false;
      }
      for (String line : Files.readAllLines(log)) {
        if (line.contains(text)) {
          found[0] = line;
          return true;
        }
      }
      return false;
    }, seconds);
    return found[0];
  }

  /** The job's status once it is no longer RUNNING. */
  JsonObject awaitJob(String api, String jobId, int seconds) throws Exception {
    JsonObject[] status = new JsonObject[1];
    await("job " + jobId + " to finish", () -> {
      status[0] = get(api, "/api/jobs/" + jobId);
      return !"RUNNING".equals(status[0].getString("state"));
    }, seconds);
    return status[0];
  }

  /** The last 40 lines of every process log, for failure messages. */
  String logs() {
    StringBuilder logs = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        logs.append("\n--- ").append(f.getFileName()).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
    } catch (IOException e) {
      logs.append(e);
    }
    return logs.toString();
  }

  /** A request to the API carrying the token. */
  HttpRequest.Builder request(String api, String path) {
    return HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(10));
  }

  JsonObject get(String api, String path) throws Exception {
    HttpResponse<String> r = http.send(request(api, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  /** Submits a job spec (expects 201) and returns the job id. */
  String submit(String api, String yaml) throws Exception {
    HttpResponse<String> r = http.send(request(api, "/api/jobs").POST(HttpRequest.BodyPublishers.ofString(yaml)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("jobId");
  }

  @Override
  public void close() {
    processes.forEach(Process::destroyForcibly);
  }
}
