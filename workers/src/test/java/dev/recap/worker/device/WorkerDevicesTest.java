package dev.recap.worker.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import ai.djl.util.cuda.CudaUtils;
import dev.recap.bus.WorkerDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Opening a worker's device in this JVM, on the machine the tests run on. */
class WorkerDevicesTest {

  /**
   * Whether this machine can run a CUDA worker: the driver reports a GPU and the user pointed
   * DJL at a libtorch (checked without the class under test).
   */
  static boolean cudaSetUp() {
    return CudaUtils.getGpuCount() > 0 && Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") != null;
  }

  @Test
  void theCpuNeedsNoCheck() {
    assertEquals(Device.cpu(), WorkerDevices.open(WorkerDevice.cpu()));
  }

  @Test
  void cuda0WithoutACudaLibtorchFailsAtStartSayingWhatItFoundAndWhatToDo() {
    assumeFalse(cudaSetUp(), "this machine has a CUDA GPU and PYTORCH_LIBRARY_PATH set: cuda:0 is expected to work here");
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> WorkerDevices.open(WorkerDevice.cuda(0)));
    String m = e.getMessage();
    assertTrue(m.startsWith("worker device cuda:0: ") && m.contains("PYTORCH_LIBRARY_PATH") && m.contains("PYTORCH_FLAVOR")
        && m.contains("--device cpu"), m);
  }

  @Test
  void inJvmWorkersRunOnTheCpuWhenNoGpuIsVisible() {
    assumeTrue(CudaUtils.getGpuCount() == 0, "a CUDA GPU is visible here");
    assertEquals(List.of(WorkerDevice.cpu(), WorkerDevice.cpu(), WorkerDevice.cpu()), WorkerDevices.embeddedDefaults(3));
  }

  @Test
  void onACudaMachineWorkerIGetsGpuIModuloTheGpusAndComputesThere() {
    assumeTrue(cudaSetUp(), "needs a CUDA GPU and PYTORCH_LIBRARY_PATH pointing at a CUDA libtorch 2.7.1 (docs/gpu.md)");
    int gpus = CudaUtils.getGpuCount();
    List<WorkerDevice> defaults = WorkerDevices.embeddedDefaults(gpus + 1);
    for (int i = 0; i <= gpus; i++) {
      assertEquals(WorkerDevice.cuda(i % gpus), defaults.get(i));
    }
    Device gpu = WorkerDevices.open(WorkerDevice.cuda(gpus - 1));
    assertEquals(Device.gpu(gpus - 1), gpu);
    float[] a = {1, 2, 3, 4, 5, 6};
    try (NDManager onGpu = NDManager.newBaseManager(gpu); NDManager onCpu = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = onGpu.create(a).reshape(2, 3);
      NDArray product = x.matMul(x.transpose());
      assertEquals(gpu, product.getDevice());
      NDArray y = onCpu.create(a).reshape(2, 3);
      assertArrayEquals(y.matMul(y.transpose()).toFloatArray(), product.toFloatArray(), 1e-5f);
    }
  }

  @Test
  void aGpuIndexBeyondTheVisibleGpusIsRefusedNamingHowManyThereAre() {
    assumeTrue(cudaSetUp(), "needs a CUDA GPU and PYTORCH_LIBRARY_PATH pointing at a CUDA libtorch 2.7.1 (docs/gpu.md)");
    int gpus = CudaUtils.getGpuCount();
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> WorkerDevices.open(WorkerDevice.cuda(gpus)));
    assertTrue(e.getMessage().contains("sees " + gpus + " CUDA GPU(s)"), e.getMessage());
  }
}
