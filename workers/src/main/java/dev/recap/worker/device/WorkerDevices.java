package dev.recap.worker.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.recap.bus.WorkerDevice;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the device a worker was asked for, and picks the devices of in-JVM workers nobody chose for. */
public final class WorkerDevices {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerDevices.class);

  private WorkerDevices() {}

  /** The DJL device for {@code device}, without checks. */
  public static Device toDjl(WorkerDevice device) {
    return device.isCuda() ? Device.gpu(device.gpuIndex()) : Device.cpu();
  }

  /**
   * Makes sure this JVM's libtorch can serve {@code device} and returns it as a DJL device. For a
   * CUDA device this selects the CUDA libtorch and loads the engine.
   *
   * @throws DeviceUnavailableException for a CUDA device when libtorch has no CUDA or sees no GPU
   *     with that index, saying what it found and what to do
   */
  public static Device open(WorkerDevice device) {
    return open(device, LibtorchSelection.ofThisJvm());
  }

  static Device open(WorkerDevice device, LibtorchSelection selection) {
    if (!device.isCuda()) {
      return Device.cpu();
    }
    selectCudaLibtorch(device, selection);
    Engine engine;
    try {
      engine = Engine.getEngine("PyTorch");
    } catch (RuntimeException e) {
      throw new DeviceUnavailableException("worker device " + device + ": DJL could not load the CUDA libtorch: " + e.getMessage()
          + ". Check that " + LibtorchSelection.LIBRARY_PATH + " points at libtorch 2.7.1 and " + LibtorchSelection.FLAVOR + "="
          + LibtorchSelection.BUNDLED_CUDA_JNI_FLAVOR + " (see docs/gpu.md).");
    }
    if (!engine.hasCapability(StandardCapabilities.CUDA)) {
      throw new DeviceUnavailableException("worker device " + device + ": the libtorch this JVM loaded (" + libtorchPath()
          + ") was built without CUDA. A JVM loads one libtorch: start the worker in a fresh JVM with "
          + LibtorchSelection.LIBRARY_PATH + " set to a CUDA libtorch 2.7.1 (see docs/gpu.md), or use --device cpu.");
    }
    int gpus = engine.getGpuCount();
    if (device.gpuIndex() >= gpus) {
      throw new DeviceUnavailableException("worker device " + device + ": libtorch sees " + gpus + " CUDA GPU(s)"
          + (gpus > 0 ? " (cuda:0 to cuda:" + (gpus - 1) + ")" : "") + "; check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES,"
          + " or pick an index below " + Math.max(gpus, 1) + ".");
    }
    Device djl = toDjl(device);
    LOG.info("worker device {}: libtorch {} from {}, {} GPU(s) visible", device, LibUtils.getVersion(), libtorchPath(), gpus);
    return djl;
  }

  /** Sets {@code PYTORCH_FLAVOR} for DJL when the CUDA libtorch needs one and the user set none. */
  private static synchronized void selectCudaLibtorch(WorkerDevice device, LibtorchSelection selection) {
    String flavor = selection.requireCuda(device);
    if (flavor != null && System.getProperty(LibtorchSelection.FLAVOR) == null) {
      System.setProperty(LibtorchSelection.FLAVOR, flavor);
    }
  }

  private static String libtorchPath() {
    try {
      return LibUtils.getLibtorchPath();
    } catch (RuntimeException e) {
      return "unknown path";
    }
  }

  /**
   * One device per in-JVM worker: worker i (0-based) gets {@code cuda:(i mod G)} when CUDA GPUs are
   * visible and this JVM can load a CUDA libtorch for them, else every worker gets the CPU (with a
   * warning that says why when GPUs are visible but unusable).
   */
  public static List<WorkerDevice> embeddedDefaults(int workers) {
    int visible = visibleGpus();
    if (visible == 0) {
      return cpus(workers);
    }
    int usable;
    try {
      open(WorkerDevice.cuda(0));
      usable = Engine.getEngine("PyTorch").getGpuCount();
    } catch (DeviceUnavailableException e) {
      LOG.warn("{} CUDA GPU(s) visible but the workers run on cpu: {}", visible, e.getMessage());
      return cpus(workers);
    }
    List<WorkerDevice> out = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      out.add(WorkerDevice.cuda(i % usable));
    }
    return out;
  }

  /**
   * GPUs the CUDA driver reports, without loading libtorch; 0 without a driver. A Linux host
   * without NVIDIA's device nodes has no GPU to report: asking the CUDA runtime anyway only makes
   * it log a driver warning on every start of a CPU machine.
   */
  private static int visibleGpus() {
    if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
        && !java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidiactl"))
        && !java.nio.file.Files.exists(java.nio.file.Path.of("/proc/driver/nvidia"))) {
      return 0;
    }
    try {
      return CudaUtils.getGpuCount();
    } catch (RuntimeException | LinkageError e) {
      return 0;
    }
  }

  private static List<WorkerDevice> cpus(int workers) {
    List<WorkerDevice> out = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      out.add(WorkerDevice.cpu());
    }
    return out;
  }
}
