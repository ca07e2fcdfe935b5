package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArtifactStoreTest {

  @Test
  void aRetriedTaskReplacesItsOutputInsteadOfAddingOne(@TempDir Path root) throws IOException {
    new FileArtifactStore(root, "job-1", "job-1/make/3").write("out.txt", OutputKind.LOG, "first".getBytes());
    FileArtifactStore retry = new FileArtifactStore(root, "job-1", "job-1/make/3");
    DeclaredOutput out = retry.write("out.txt", OutputKind.LOG, "second".getBytes());
    assertEquals("second", Files.readString(Path.of(out.getPath())));
    try (Stream<Path> all = Files.walk(root)) {
      assertEquals(1, all.filter(Files::isRegularFile).count(), "one file, no temp left behind");
    }
    assertEquals(List.of(out), retry.declared());
  }

  @Test
  void theDeclaredSizeAndChecksumAreThoseOfTheFileWritten(@TempDir Path root) throws Exception {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    byte[] bytes = new byte[200_000];
    new java.util.Random(3).nextBytes(bytes);
    DeclaredOutput shard = store.write("shard.tar", OutputKind.PAIRS_SHARD, out -> {
      out.write(bytes, 0, 100_000);
      out.write(bytes, 100_000, 100_000);
    });
    Path file = Path.of(shard.getPath());
    assertEquals("pairs-shard", shard.getKind());
    assertEquals(Files.size(file), shard.getSizeBytes());
    assertEquals(200_000, shard.getSizeBytes());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))),
        shard.getSha256());
  }

  @Test
  void aDirectoryIsWrittenWholeAndItsChecksumCoversEveryFileByRelativePath(@TempDir Path root) throws Exception {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    DeclaredOutput dense = store.writeAt("dense", OutputKind.DENSE_FOLDER, dir -> {
      Files.createDirectories(dir.resolve("seg"));
      Files.writeString(dir.resolve("seg/a.png"), "AA");
      Files.writeString(dir.resolve("dense.json"), "{}");
    });
    Path written = Path.of(dense.getPath());
    assertEquals(store.directory().resolve("dense"), written);
    assertEquals(4, dense.getSizeBytes());
    // the documented tree digest, computed independently: files by relative path, name NUL size bytes
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    for (String name : List.of("dense.json", "seg/a.png")) {
      byte[] content = Files.readAllBytes(written.resolve(name));
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(java.nio.ByteBuffer.allocate(8).putLong(content.length).array());
      d.update(content);
    }
    assertEquals(HexFormat.of().formatHex(d.digest()), dense.getSha256());

    DeclaredOutput renamed = store.writeAt("dense", OutputKind.DENSE_FOLDER, dir -> {
      Files.createDirectories(dir.resolve("seg"));
      Files.writeString(dir.resolve("seg/b.png"), "AA");
      Files.writeString(dir.resolve("dense.json"), "{}");
    });
    assertNotEquals(dense.getSha256(), renamed.getSha256(), "same bytes under another name");
    assertTrue(Files.notExists(written.resolve("seg/a.png")), "the retry replaced the whole directory");
    assertEquals(List.of(renamed), store.declared());
  }

  @Test
  void theResultJsonIsWrittenAndKeptForTheResultMessage(@TempDir Path root) throws IOException {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    DeclaredOutput result = store.writeResult("{\"run\":\"r\"}");
    assertEquals("run-result", result.getKind());
    assertEquals("{\"run\":\"r\"}", Files.readString(Path.of(result.getPath())));
    assertEquals("{\"run\":\"r\"}", store.result());
  }

  @Test
  void aFileGrownInPlaceIsDeclaredAsItIsNow(@TempDir Path root) throws IOException {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    assertThrows(IOException.class, () -> store.declareInPlace("samples.txt", OutputKind.LOG));
    Files.createDirectories(store.directory());
    Files.writeString(store.directory().resolve("samples.txt"), "k1\nk2\n");
    assertEquals(6, store.declareInPlace("samples.txt", OutputKind.LOG).getSizeBytes());
  }

  @Test
  void aFailedWriteLeavesNeitherTargetNorTemp(@TempDir Path root) throws IOException {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    assertThrows(IOException.class, () -> store.write("out.bin", OutputKind.LOG, out -> {
      out.write(1);
      throw new IOException("disk full");
    }));
    assertThrows(IOException.class, () -> store.writeAt("dir", OutputKind.DENSE_FOLDER, dir -> {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("half.png"), "x");
      throw new IOException("disk full");
    }));
    try (Stream<Path> all = Files.list(store.directory())) {
      assertEquals(0, all.count());
    }
    assertEquals(List.of(), store.declared());
  }

  @Test
  void namesWithSeparatorsAreRejected(@TempDir Path root) {
    FileArtifactStore store = new FileArtifactStore(root, "j", "t");
    assertThrows(IllegalArgumentException.class, () -> store.write("../escape", OutputKind.LOG, new byte[0]));
  }
}
