package dev.recap.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkerDeviceTest {

  @Test
  void cpuAndCudaIndicesReadBackAsWritten() {
    assertEquals(WorkerDevice.cpu(), WorkerDevice.parse("cpu"));
    assertFalse(WorkerDevice.parse("cpu").isCuda());
    WorkerDevice third = WorkerDevice.parse("cuda:2");
    assertTrue(third.isCuda());
    assertEquals(2, third.gpuIndex());
    assertEquals("cuda:2", third.toString());
    assertEquals(WorkerDevice.cuda(2), third);
    assertEquals("cpu", WorkerDevice.cpu().toString());
  }

  @Test
  void anythingElseIsRejectedQuotingItAndTheAcceptedForms() {
    for (String bad : new String[] {"gpu", "cuda:x", "cuda", "cuda:", "gpu:0", "CPU", "cuda:-1", "cuda:0,cuda:1", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkerDevice.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("cpu") && e.getMessage().contains("cuda:N"),
          e.getMessage());
    }
  }

  @Test
  void settingsDefaultToTheCpuAndKeepTheirDeviceAcrossCopies() {
    WorkerLauncher.Settings settings = new WorkerLauncher.Settings("w", null, null, 1);
    assertEquals(WorkerDevice.cpu(), settings.device());
    WorkerLauncher.Settings onGpu = settings.withDevice(WorkerDevice.cuda(1)).withConformanceKits(false);
    assertEquals(WorkerDevice.cuda(1), onGpu.device());
  }
}
