package dev.recap.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.WorkerDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libtorch a CUDA worker would get, judged from the environment and the file layout of
 * libtorch directories (empty files stand in for the libraries: only their names are read).
 */
class LibtorchSelectionTest {

  static final WorkerDevice CUDA0 = WorkerDevice.cuda(0);

  @TempDir Path dir;

  static Properties bundled(String flavor) {
    Properties p = new Properties();
    p.setProperty("version", "2.7.1-20250812");
    p.setProperty("flavor", flavor);
    return p;
  }

  static LibtorchSelection with(Map<String, String> settings, Properties classPath) {
    return new LibtorchSelection(settings::get, classPath);
  }

  Path libtorch(String name, boolean cuda) throws IOException {
    Path lib = Files.createDirectories(dir.resolve(name).resolve("lib"));
    Files.createFile(lib.resolve(System.mapLibraryName("torch")));
    if (cuda) {
      Files.createFile(lib.resolve(System.mapLibraryName("torch_cuda")));
    }
    return lib;
  }

  @Test
  void withoutALibraryPathTheCpuJarOnTheClassPathIsRefusedSayingWhatToSet() {
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
        () -> with(Map.of(), bundled("cpu")).requireCuda(CUDA0));
    String m = e.getMessage();
    assertTrue(m.contains("cuda:0") && m.contains("PYTORCH_LIBRARY_PATH is not set") && m.contains("CPU-only libtorch 2.7.1")
        && m.contains("PYTORCH_FLAVOR=cu128") && m.contains("--device cpu"), m);
  }

  @Test
  void aCudaLibtorchJarOnTheClassPathIsUsedAsItIs() {
    assertNull(with(Map.of(), bundled("cu128")).requireCuda(CUDA0));
  }

  @Test
  void aLibraryPathWithoutLibtorchIsRefusedBecauseDjlWouldFallBackToTheCpuJarSilently() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
        () -> with(Map.of("PYTORCH_LIBRARY_PATH", empty.toString()), bundled("cpu")).requireCuda(CUDA0));
    assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH=" + empty) && e.getMessage().contains("holds no libtorch"), e.getMessage());
  }

  @Test
  void aCpuOnlyLibtorchInTheLibraryPathIsRefusedNamingIt() throws IOException {
    Path cpu = libtorch("libtorch-cpu", false);
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
        () -> with(Map.of("PYTORCH_LIBRARY_PATH", cpu.toString()), bundled("cpu")).requireCuda(WorkerDevice.cuda(1)));
    assertTrue(e.getMessage().contains("cuda:1") && e.getMessage().contains(cpu.toString())
        && e.getMessage().contains("CPU-only build"), e.getMessage());
  }

  @Test
  void aCudaLibtorchGetsTheJniFlavorPytorchJniBundlesUnlessTheUserSetOne() throws IOException {
    Path cuda = libtorch("libtorch-cu128", true);
    assertEquals("cu128", with(Map.of("PYTORCH_LIBRARY_PATH", cuda.toString()), bundled("cpu")).requireCuda(CUDA0));
    assertNull(with(Map.of("PYTORCH_LIBRARY_PATH", cuda.toString(), "PYTORCH_FLAVOR", "cu126"), bundled("cpu")).requireCuda(CUDA0));
  }

  @Test
  void theFirstEntryOfAPathListThatHoldsLibtorchCounts() throws IOException {
    Path cuda = libtorch("libtorch-cu128", true);
    String list = dir.resolve("missing") + java.io.File.pathSeparator + cuda;
    assertEquals("cu128", with(Map.of("PYTORCH_LIBRARY_PATH", list), bundled("cpu")).requireCuda(CUDA0));
    Path file = cuda.resolve(System.mapLibraryName("torch"));
    assertEquals("cu128", with(Map.of("PYTORCH_LIBRARY_PATH", file.toString()), bundled("cpu")).requireCuda(CUDA0));
  }
}
