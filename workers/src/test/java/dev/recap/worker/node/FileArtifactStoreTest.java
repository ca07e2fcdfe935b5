package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArtifactStoreTest {

  @Test
  void aRetriedTaskReplacesItsOutputInsteadOfAddingOne(@TempDir Path root) throws IOException {
    new FileArtifactStore(root, "job-1", "job-1/make/3").write("out.txt", "first".getBytes());
    FileArtifactStore retry = new FileArtifactStore(root, "job-1", "job-1/make/3");
    String ref = retry.write("out.txt", "second".getBytes());
    assertEquals("second", Files.readString(Path.of(ref)));
    try (Stream<Path> all = Files.walk(root)) {
      assertEquals(1, all.filter(Files::isRegularFile).count(), "one file, no temp left behind");
    }
    assertEquals(List.of(ref), retry.written());
  }

  @Test
  void aFailedWriteLeavesNeitherTargetNorTemp(@TempDir Path root) throws IOException {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    assertThrows(IOException.class, () -> store.write("out.bin", out -> {
      out.write(1);
      throw new IOException("disk full");
    }));
    try (Stream<Path> all = Files.list(store.directory())) {
      assertEquals(0, all.count());
    }
  }

  @Test
  void namesWithSeparatorsAreRejected(@TempDir Path root) {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    assertThrows(IllegalArgumentException.class, () -> store.write("../escape", new byte[0]));
  }
}
