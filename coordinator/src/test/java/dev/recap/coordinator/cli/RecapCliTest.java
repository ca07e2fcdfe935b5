package dev.recap.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's main path: exit codes and messages a user can act on. */
class RecapCliTest {

  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  Run recap(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RecapCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  Path spec(String yaml) throws IOException {
    Path f = tmp.resolve("job-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void malformedYamlIsRejectedWithItsLineBeforeAnyClusterStarts() throws IOException {
    Path f = spec("name: demo\nstages:\n  - name: make\n    kind: smoke\n   tasks: [1, 2\n");
    Run r = recap("run", f.toString(), "--workers", "1");
    assertEquals(RecapCli.INVALID, r.code());
    assertTrue(r.err().contains("not valid YAML") && r.err().contains("line "), r.err());
    assertTrue(r.err().contains(f.toString()), "names the file: " + r.err());
  }

  @Test
  void aWrongFieldTypeNamesTheFieldPathAndWhy() throws IOException {
    Path f = spec("name: demo\nstages:\n  - name: make\n    kind: smoke\n    tasks: many\n    sleepMillis: -5\n");
    Run r = recap("run", f.toString(), "--workers", "1");
    assertEquals(RecapCli.INVALID, r.code(), r.err());
    assertTrue(r.err().contains("stages[0].tasks: must be a whole number, got 'many' (a string)"), r.err());
    assertTrue(r.err().contains("stages[0].sleepMillis: must be a whole number >= 0, got -5"), r.err());
  }

  @Test
  void submitAppliesTheProfileBeforeContactingTheCoordinator() throws IOException {
    Path f = spec("name: demo\nstages:\n  - name: make\n    kind: smoke\nprofiles:\n  quick: {make: {tasks: 1}}\n");
    Run r = recap("submit", f.toString(), "--profile", "fast", "--state", tmp.resolve("no-coordinator").toString());
    assertEquals(RecapCli.INVALID, r.code(), r.err());
    assertTrue(r.err().contains("no profile 'fast'") && r.err().contains("[quick]"), r.err());
    Run both = recap("submit", f.toString(), "--profile", "quick", "--quick");
    assertEquals(RecapCli.INVALID, both.code(), both.err());
    assertTrue(both.err().contains("choose one of --profile, --quick and --scale"), both.err());
  }

  @Test
  void unknownStageKindAndBadDependencyAreReported() throws IOException {
    Path f = spec("name: demo\nstages:\n  - name: a\n    kind: smoke\n    after: [b]\n  - name: b\n    kind: smok\n");
    Run r = recap("run", f.toString(), "--workers", "1");
    assertEquals(RecapCli.INVALID, r.code(), r.err());
    assertTrue(r.err().contains("stages[0].after[0]: 'b' is not an earlier stage"), r.err());
  }

  @Test
  void anUnknownPluginIsNamedWithTheOnesLiveWorkersHaveAndAGoodJobSucceeds() throws IOException {
    Path plugins = tmp.resolve("no-plugins");
    Path bad = spec("name: demo\nstages:\n  - name: make\n    kind: smoke\n    tasks: 2\n    requires: [vit-b16]\n");
    Run r = recap("run", bad.toString(), "--workers", "1", "--plugins", plugins.toString(), "--state",
        tmp.resolve("s1").toString());
    assertEquals(RecapCli.INVALID, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("stages[0].requires[0]: unknown plugin 'vit-b16'; live workers advertise"), r.err());

    Path out = tmp.resolve("artifacts");
    Path good = spec("name: demo\noutput: " + out + "\nstages:\n  - name: make\n    kind: smoke\n    tasks: 6\n"
        + "  - name: check\n    kind: smoke\n    after: [make]\n    tasks: 2\n");
    Run ok = recap("run", good.toString(), "--workers", "2", "--plugins", plugins.toString(), "--state",
        tmp.resolve("s2").toString());
    assertEquals(RecapCli.OK, ok.code(), ok.out() + ok.err());
    assertTrue(ok.out().contains("SUCCEEDED: 8/8 tasks"), ok.out());
    assertTrue(ok.out().matches("(?s).*console: http://127\\.0\\.0\\.1:\\d+/console/#token=\\S+.*"),
        "prints the console's address once: " + ok.out());
    try (Stream<Path> files = Files.walk(out)) {
      assertEquals(8, files.filter(p -> p.getFileName().toString().startsWith("out-")).count());
    }
  }

  @Test
  void aTaskThatKeepsFailingFailsTheJobWithItsCause() throws IOException {
    Path f = spec("name: doomed\nmaxAttempts: 2\nstages:\n  - name: make\n    kind: smoke\n    tasks: 1\n    failAttempts: 5\n");
    Run r = recap("run", f.toString(), "--workers", "1", "--plugins", tmp.resolve("none").toString(), "--artifacts",
        tmp.resolve("a").toString());
    assertEquals(RecapCli.JOB_FAILED, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("failed after 2 attempt(s)") && r.out().contains("on purpose"), r.out());
  }
}
