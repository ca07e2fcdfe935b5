package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's seed depends on the job seed and the task's place in the spec, not on the job id: the
 * same spec submitted twice gives every task the same seed (so a learned captioner trains the
 * same way), and another job seed gives other seeds.
 */
class TaskSeedTest {

  private static String spec(int seed) {
    return "name: seeds\nseed: " + seed + "\nstages:\n  - name: make\n    kind: smoke\n    tasks: 3\n    writeOutput: true\n";
  }

  @Test
  void resubmittingASpecGivesEveryTaskTheSameSeed(@TempDir Path tmp) throws Exception {
    Map<String, String> first = seeds(EmbeddedJobRun.run(tmp.resolve("a"), spec(7), "seeds", Duration.ofMinutes(1)));
    Map<String, String> second = seeds(EmbeddedJobRun.run(tmp.resolve("b"), spec(7), "seeds", Duration.ofMinutes(1)));
    Map<String, String> other = seeds(EmbeddedJobRun.run(tmp.resolve("c"), spec(8), "seeds", Duration.ofMinutes(1)));
    assertEquals(3, first.size(), first.toString());
    assertEquals(first, second, "the same spec submitted twice");
    assertNotEquals(first, other, "another job seed");
  }

  /** Task name -> the seed its smoke output records. */
  private static Map<String, String> seeds(EmbeddedJobRun job) throws Exception {
    assertEquals("SUCCEEDED", job.done().state(), () -> "job failed: " + job.done().cause());
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, Path> e : job.tasks().entrySet()) {
      try (var files = Files.list(e.getValue())) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith("out-")).toList()) {
          String text = Files.readString(f).trim();
          out.put(e.getKey(), text.substring(text.indexOf("seed=") + 5));
        }
      }
    }
    return out;
  }
}
