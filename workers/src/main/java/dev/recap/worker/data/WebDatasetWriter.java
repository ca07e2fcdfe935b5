package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one WebDataset shard in img2dataset's layout (see {@link SampleCodec}). The tar is
 * written to a temporary file beside the target and renamed on {@link #close()}, so a reader
 * never sees a half-written shard and a retried task simply overwrites it. {@link #abort()}
 * discards it instead.
 */
public final class WebDatasetWriter implements AutoCloseable {

  private final Path target;
  private final Path temp;
  private final ImageFormat format;
  private final TarArchiveOutputStream tar;
  private long count;
  private boolean done;

  public WebDatasetWriter(Path target, ImageFormat format) throws IOException {
    this.target = target;
    this.format = format;
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    this.temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
    this.tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  /** Appends a sample; its key must not contain '.' or '/' (it prefixes member names). */
  public void write(Sample sample) throws IOException {
    writeRecord(sample.key(), SampleCodec.encode(sample, format));
  }

  /**
   * Appends a record as given: {@code key.<extension>} for every member, in the map's order, the
   * bytes unchanged (an image copied from another shard is not decoded and encoded again).
   */
  public void writeRecord(String key, Map<String, byte[]> members) throws IOException {
    if (key.isEmpty() || key.indexOf('.') >= 0 || key.indexOf('/') >= 0) {
      throw new IllegalArgumentException("sample key '" + key + "' cannot name WebDataset members: no '.' or '/' allowed");
    }
    for (Map.Entry<String, byte[]> m : members.entrySet()) {
      TarArchiveEntry entry = new TarArchiveEntry(key + "." + m.getKey());
      entry.setSize(m.getValue().length);
      entry.setModTime(0); // identical input gives an identical shard
      tar.putArchiveEntry(entry);
      tar.write(m.getValue());
      tar.closeArchiveEntry();
    }
    count++;
  }

  public long count() {
    return count;
  }

  /** Finishes the tar and moves it into place. */
  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    done = true;
    tar.finish();
    tar.close();
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Discards the shard being written. */
  public void abort() throws IOException {
    if (done) {
      return;
    }
    done = true;
    tar.close();
    Files.deleteIfExists(temp);
  }
}
