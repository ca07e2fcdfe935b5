package dev.recap.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recap worker --device} and {@code recap run --devices}: checked before any cluster starts. */
class DeviceOptionsTest {

  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  static Run recap(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RecapCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Without PYTORCH_LIBRARY_PATH the libtorch on the class path, the CPU-only one, is what a worker gets. */
  static boolean onlyTheCpuLibtorch() {
    return System.getenv("PYTORCH_LIBRARY_PATH") == null && System.getProperty("PYTORCH_LIBRARY_PATH") == null;
  }

  Path smokeSpec() throws IOException {
    Path f = tmp.resolve("smoke.yaml");
    Files.writeString(f, "name: demo\noutput: " + tmp.resolve("artifacts") + "\nstages:\n  - name: make\n    kind: smoke\n    tasks: 2\n");
    return f;
  }

  @Test
  void aWorkerDeviceThatIsNotOneIsRejectedNamingTheOption() {
    for (String bad : new String[] {"gpu", "cuda:x"}) {
      Run r = recap("worker", "--join", "127.0.0.1:5701", "--device", bad);
      assertEquals(RecapCli.INVALID, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("recap worker: --device '" + bad + "' is not a device: use cpu, or cuda:N"), r.err());
    }
  }

  @Test
  void aCudaWorkerWithoutACudaLibtorchStopsBeforeJoiningAndSaysWhatToSet() {
    assumeTrue(onlyTheCpuLibtorch(), "PYTORCH_LIBRARY_PATH is set here: cuda:0 may work");
    Run r = recap("worker", "--join", "127.0.0.1:5701", "--device", "cuda:0");
    assertEquals(RecapCli.ERROR, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("recap: worker device cuda:0: PYTORCH_LIBRARY_PATH is not set")
        && r.err().contains("CPU-only libtorch") && r.err().contains("PYTORCH_FLAVOR=cu128"), r.err());
    assertTrue(r.out().isEmpty(), "no worker joined: " + r.out());
  }

  @Test
  void runRejectsADevicesListThatIsNotOneNamingTheOption() throws IOException {
    Path spec = smokeSpec();
    Run bad = recap("run", spec.toString(), "--workers", "1", "--devices", "gpu");
    assertEquals(RecapCli.INVALID, bad.code(), bad.out() + bad.err());
    assertTrue(bad.err().contains("recap: --devices 'gpu' is not a device"), bad.err());
    Run count = recap("run", spec.toString(), "--workers", "2", "--devices", "cpu,cpu,cpu");
    assertEquals(RecapCli.INVALID, count.code(), count.out() + count.err());
    assertTrue(count.err().contains("--devices 'cpu,cpu,cpu' names 3 devices for 2 workers"), count.err());
  }

  @Test
  void runWithCudaDevicesAndOnlyTheCpuLibtorchFailsBeforeAnyClusterStarts() throws IOException {
    assumeTrue(onlyTheCpuLibtorch(), "PYTORCH_LIBRARY_PATH is set here: cuda:0 may work");
    Run r = recap("run", smokeSpec().toString(), "--workers", "2", "--devices", "cpu,cuda:0");
    assertEquals(RecapCli.ERROR, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("worker device cuda:0: PYTORCH_LIBRARY_PATH is not set"), r.err());
    assertTrue(!r.out().contains("console:"), "no coordinator started: " + r.out());
  }

  @Test
  void runOnTheCpuRunsTheJobAndSaysWhereTheWorkersCompute() throws IOException {
    Run r = recap("run", smokeSpec().toString(), "--workers", "1", "--devices", "cpu", "--plugins", tmp.resolve("none").toString(),
        "--state", tmp.resolve("state").toString());
    assertEquals(RecapCli.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("on 1 embedded worker(s) (1 x cpu)") && r.out().contains("SUCCEEDED: 2/2 tasks"), r.out());
  }
}
