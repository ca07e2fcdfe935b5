package dev.recap.worker.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.CaptionSidecarRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SidecarRoundTripTest {

  @TempDir Path dir;

  private static CaptionSidecarRecord record(String key, String caption, Float score) {
    return CaptionSidecarRecord.newBuilder().setKey(key).setCaption(caption)
        .setCaptionerId("grounded").setCaptionerVersion("0.1.0").setScore(score).build();
  }

  @Test
  void everyKeyComesBackExactlyOnceWithItsFields() throws IOException {
    List<CaptionSidecarRecord> written = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      written.add(record("k" + i, "a red circle number " + i, i % 3 == 0 ? null : i / 10f));
    }
    Path file = dir.resolve("shard.captions.avro");
    try (SidecarWriter w = SidecarWriter.open(file)) {
      for (CaptionSidecarRecord r : written) {
        w.write(r);
      }
      w.commit();
    }
    List<CaptionSidecarRecord> read = SidecarReader.readAll(file);
    assertEquals(written, read);
    Map<String, CaptionSidecarRecord> byKey = SidecarReader.readByKey(file);
    assertEquals(200, byKey.size());
    assertEquals(null, byKey.get("k0").getScore());
    assertEquals(0.1f, byKey.get("k1").getScore());
  }

  @Test
  void aKeyWrittenTwiceIsRefusedNamingIt() throws IOException {
    try (SidecarWriter w = SidecarWriter.open(dir.resolve("s.avro"))) {
      w.write(record("k1", "x", null));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(record("k1", "y", null)));
      assertTrue(e.getMessage().contains("'k1'"), e.getMessage());
    }
  }

  @Test
  void nothingIsVisibleUntilCommitAndAbandonedWritesLeaveNoFile() throws IOException {
    Path file = dir.resolve("s.avro");
    try (SidecarWriter w = SidecarWriter.open(file)) {
      w.write(record("k1", "x", 1f));
      assertFalse(Files.exists(file), "the target appears only at commit");
    }
    assertFalse(Files.exists(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count(), "the temporary file is removed");
    }
  }

  @Test
  void commitReplacesAnOlderSidecarWhole() throws IOException {
    Path file = dir.resolve("s.avro");
    try (SidecarWriter w = SidecarWriter.open(file)) {
      w.write(record("old", "x", null));
      w.write(record("k1", "x", null));
      w.commit();
    }
    try (SidecarWriter w = SidecarWriter.open(file)) {
      w.write(record("k1", "y", null));
      w.commit();
    }
    assertEquals(List.of(record("k1", "y", null)), SidecarReader.readAll(file));
  }

  @Test
  void aMissingSidecarIsReportedWithItsPath() {
    Path file = dir.resolve("nope.avro");
    IOException e = assertThrows(IOException.class, () -> SidecarReader.readAll(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
