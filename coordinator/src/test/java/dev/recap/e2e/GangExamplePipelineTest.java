package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.exchange.GangState;
import dev.recap.coordinator.run.JobStatus;
import dev.recap.coordinator.spec.SpecProfiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job {@code gang.yaml} with its {@code quick} profile on the embedded default: a
 * gang of the two embedded workers pretrains one CLIP with the distribution's vit and
 * text-transformer plugin jars, and the evaluate stage scores that run.
 */
class GangExamplePipelineTest {

  static final Path SPEC = Path.of("src/main/dist/examples/gang.yaml");

  @Test
  void quickProfileTrainsOneRunOnAGangOfTwoAndEvaluatesIt(@TempDir Path tmp) throws Exception {
    String yaml = SpecProfiles.apply(Files.readString(SPEC), "quick", SPEC.toString());
    Map<String, Integer> gangKeysLeft = new TreeMap<>();
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, yaml, "gang.yaml --quick", Duration.ofMinutes(3), (member, jobId) -> {
      // the coordinator drops the run's commits, roster, formations and loss lines once the job ended
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      do {
        gangKeysLeft.clear();
        for (String map : List.of(GangState.COMMITS_MAP, GangState.ROSTER_MAP, GangState.FORMATIONS_MAP, GangState.LOSS_MAP)) {
          long n = member.hazelcast().getMap(map).keySet().stream().filter(k -> k.toString().startsWith(jobId + "/")).count();
          if (n > 0) {
            gangKeysLeft.put(map, (int) n);
          }
        }
        Thread.sleep(100);
      } while (!gangKeysLeft.isEmpty() && System.nanoTime() < deadline);
    });
    JobStatus done = job.done();
    assertEquals("SUCCEEDED", done.state(), () -> "job failed: " + done.cause());
    Map<String, Path> tasks = job.tasks();
    Path first = tasks.get("gang_member-00");
    Path second = tasks.get("gang_member-01");
    Path withResult = Files.exists(first.resolve("result.json")) ? first : second;
    JsonObject result = new JsonObject(Files.readString(withResult.resolve("result.json")));
    assertEquals("vit-grounded-gang", result.getString("run"));
    assertEquals("grounded", result.getString("captions"));
    assertEquals(8, result.getJsonObject("metrics").getLong("steps"), "512 pairs / global batch 64");
    List<String> loss = Files.readAllLines(withResult.resolve("loss.csv"));
    assertEquals(9, loss.size(), "a header and one line per step");
    for (String line : loss.subList(1, loss.size())) {
      assertTrue(line.endsWith(",2"), "every step trained by a gang of 2: " + line);
    }
    // each member's committed samples: disjoint, together every pair of the epoch once
    Set<String> seen = new HashSet<>();
    int lines = 0;
    for (Path member : List.of(first, second)) {
      List<String> keys = Files.readAllLines(member.resolve("samples.txt"));
      assertEquals(256, keys.size(), member + ": half of the epoch's 512 pairs");
      lines += keys.size();
      seen.addAll(keys);
    }
    assertEquals(lines, seen.size(), "a sample trained by both members");
    assertTrue(seen.stream().allMatch(k -> k.startsWith("epoch-0/")), "one epoch");
    int evaluations = 0;
    for (Map.Entry<String, Path> e : tasks.entrySet()) {
      if (e.getKey().startsWith("evaluate_")) {
        JsonObject r = new JsonObject(Files.readString(e.getValue().resolve("result.json")));
        assertEquals("vit-grounded-gang", r.getString("run"), e.getKey());
        evaluations++;
      }
    }
    assertEquals(3, evaluations, "frozen segmentation, frozen depth, retrieval");
    assertTrue(gangKeysLeft.isEmpty(), "gang state left in the cluster after the job: " + gangKeysLeft);
  }
}
