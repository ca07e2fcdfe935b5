package dev.recap.worker.device;

import ai.djl.util.Utils;
import dev.recap.bus.WorkerDevice;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * Which libtorch DJL's PyTorch engine will load in this JVM, judged before it loads one (a JVM
 * loads one libtorch for good), and whether that one can serve a CUDA device.
 *
 * <p>DJL takes the libtorch in {@code PYTORCH_LIBRARY_PATH} (environment variable or system
 * property) when that directory holds {@code libtorch.so}; otherwise, silently, the one bundled on
 * the class path, which for Recap is the CPU-only {@code pytorch-native-cpu}. With
 * {@code PYTORCH_LIBRARY_PATH} DJL also needs its JNI bridge of the right flavor
 * ({@code PYTORCH_FLAVOR}); {@code pytorch-jni} bundles a CUDA one only for
 * {@value #BUNDLED_CUDA_JNI_FLAVOR}, while DJL's own guess from the installed CUDA runtime (e.g.
 * {@code cu124-precxx11}) names one it does not bundle and would try to download.
 */
public final class LibtorchSelection {

  /** The CUDA flavor of the JNI bridge that {@code pytorch-jni 2.7.1-0.36.0} bundles. */
  public static final String BUNDLED_CUDA_JNI_FLAVOR = "cu128";
  static final String LIBRARY_PATH = "PYTORCH_LIBRARY_PATH";
  static final String FLAVOR = "PYTORCH_FLAVOR";
  private static final String LIBTORCH = System.mapLibraryName("torch");
  private static final String LIBTORCH_CUDA = System.mapLibraryName("torch_cuda");
  private static final String WHAT_TO_DO = "To run a worker on a GPU, unpack a CUDA build of libtorch 2.7.1 (for example"
      + " libtorch-cxx11-abi-shared-with-deps-2.7.1+cu128 from pytorch.org) and start the worker with"
      + " PYTORCH_LIBRARY_PATH=<that libtorch>/lib and PYTORCH_FLAVOR=" + BUNDLED_CUDA_JNI_FLAVOR
      + ", or run it with --device cpu (see docs/gpu.md).";

  private final UnaryOperator<String> settings;
  private final Properties classPathLibtorch;

  /**
   * @param settings reads an environment variable or, failing that, the system property of that
   *     name (DJL's own lookup order)
   * @param classPathLibtorch the {@code native/lib/pytorch.properties} of the libtorch jar on the
   *     class path (version, flavor), null if there is none
   */
  LibtorchSelection(UnaryOperator<String> settings, Properties classPathLibtorch) {
    this.settings = settings;
    this.classPathLibtorch = classPathLibtorch;
  }

  /** The selection this JVM's environment, system properties and class path make. */
  public static LibtorchSelection ofThisJvm() {
    Properties bundled = null;
    try (InputStream in = LibtorchSelection.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
      if (in != null) {
        bundled = new Properties();
        bundled.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read native/lib/pytorch.properties on the class path", e);
    }
    return new LibtorchSelection(Utils::getEnvOrSystemProperty, bundled);
  }

  /**
   * Checks that the libtorch DJL will load has CUDA, for a worker asked for {@code device}, and
   * returns the {@code PYTORCH_FLAVOR} to set before the engine loads (null when none is needed:
   * the user set one, or the libtorch comes from the class path).
   *
   * @throws DeviceUnavailableException saying which libtorch would load and what to do
   */
  public String requireCuda(WorkerDevice device) {
    String libraryPath = settings.apply(LIBRARY_PATH);
    if (libraryPath == null || libraryPath.isBlank()) {
      String flavor = classPathLibtorch == null ? null : classPathLibtorch.getProperty("flavor");
      if (flavor != null && flavor.startsWith("cu")) {
        return null; // a CUDA libtorch jar on the class path: DJL loads it as it is
      }
      String found = classPathLibtorch == null
          ? "no libtorch on the class path"
          : "the CPU-only libtorch " + classPathLibtorch.getProperty("version", "?") + " bundled on the class path (flavor "
              + flavor + ")";
      throw new DeviceUnavailableException("worker device " + device + ": " + LIBRARY_PATH + " is not set, so DJL would load "
          + found + ", which has no CUDA. " + WHAT_TO_DO);
    }
    Path libtorchDir = directoryWithLibtorch(libraryPath);
    if (libtorchDir == null) {
      throw new DeviceUnavailableException("worker device " + device + ": " + LIBRARY_PATH + "=" + libraryPath + " holds no "
          + LIBTORCH + ", so DJL would ignore it and load the CPU-only libtorch bundled on the class path. " + WHAT_TO_DO);
    }
    if (!Files.isRegularFile(libtorchDir.resolve(LIBTORCH_CUDA))) {
      throw new DeviceUnavailableException("worker device " + device + ": the libtorch in " + LIBRARY_PATH + "=" + libtorchDir
          + " is a CPU-only build (it has no " + LIBTORCH_CUDA + "). " + WHAT_TO_DO);
    }
    String flavor = settings.apply(FLAVOR);
    return flavor == null || flavor.isBlank() ? BUNDLED_CUDA_JNI_FLAVOR : null;
  }

  /** As DJL reads the variable: a path list whose first entry holding libtorch (or naming it) wins. */
  private static Path directoryWithLibtorch(String libraryPath) {
    for (String entry : libraryPath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry);
      if (Files.isRegularFile(p) && p.getFileName().toString().equals(LIBTORCH)) {
        return p.toAbsolutePath().getParent();
      }
      if (Files.isRegularFile(p.resolve(LIBTORCH))) {
        return p.toAbsolutePath();
      }
    }
    return null;
  }
}
