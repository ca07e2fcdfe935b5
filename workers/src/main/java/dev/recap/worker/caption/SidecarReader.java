package dev.recap.worker.caption;

import dev.recap.bus.CaptionSidecarRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;

/** Reads caption sidecars written by {@link SidecarWriter}. */
public final class SidecarReader {

  private SidecarReader() {}

  /** Every record of the sidecar, in file order. */
  public static List<CaptionSidecarRecord> readAll(Path sidecar) throws IOException {
    if (!Files.isRegularFile(sidecar)) {
      throw new IOException("caption sidecar " + sidecar + " does not exist; was the curation stage of this shard run?");
    }
    List<CaptionSidecarRecord> out = new ArrayList<>();
    try (DataFileReader<CaptionSidecarRecord> reader =
        new DataFileReader<>(sidecar.toFile(), new SpecificDatumReader<>(CaptionSidecarRecord.class))) {
      for (CaptionSidecarRecord r : reader) {
        out.add(r);
      }
    } catch (IOException e) {
      throw new IOException("caption sidecar " + sidecar + " is not a readable Avro container file: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * The records by sample key, in file order.
   *
   * @throws IOException if a key occurs twice (the file breaks the one-record-per-key rule)
   */
  public static Map<String, CaptionSidecarRecord> readByKey(Path sidecar) throws IOException {
    Map<String, CaptionSidecarRecord> byKey = new LinkedHashMap<>();
    for (CaptionSidecarRecord r : readAll(sidecar)) {
      if (byKey.putIfAbsent(r.getKey(), r) != null) {
        throw new IOException("caption sidecar " + sidecar + " holds sample '" + r.getKey() + "' twice; delete it and re-run the shard's curation task");
      }
    }
    return byKey;
  }
}
