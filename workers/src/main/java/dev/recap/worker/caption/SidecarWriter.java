package dev.recap.worker.caption;

import dev.recap.bus.CaptionSidecarRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes one caption sidecar: an Avro container file of {@link CaptionSidecarRecord}s, one per
 * sample key.
 *
 * <p>Records go to a temporary file in the target's directory; {@link #commit()} renames it onto
 * the target atomically, so readers see either no sidecar or a complete one, and a task retried
 * after a worker died rewrites the whole file instead of appending to a partial one. Closing
 * without committing deletes the temporary file and leaves the target untouched.
 */
public final class SidecarWriter implements AutoCloseable {

  private final Path target;
  private final Path temp;
  private final DataFileWriter<CaptionSidecarRecord> writer;
  private final Set<String> keys = new HashSet<>();
  private boolean finished;

  private SidecarWriter(Path target) throws IOException {
    this.target = target.toAbsolutePath();
    Path dir = this.target.getParent();
    Files.createDirectories(dir);
    this.temp = Files.createTempFile(dir, "." + this.target.getFileName() + ".", ".tmp");
    this.writer = new DataFileWriter<>(new SpecificDatumWriter<>(CaptionSidecarRecord.class));
    writer.setCodec(CodecFactory.deflateCodec(3));
    try {
      writer.create(CaptionSidecarRecord.getClassSchema(), temp.toFile());
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  /** Starts a sidecar that {@link #commit()} will place at {@code target}. */
  public static SidecarWriter open(Path target) throws IOException {
    return new SidecarWriter(target);
  }

  /**
   * Appends a record.
   *
   * @throws IllegalArgumentException if the key was already written to this sidecar or the caption is blank
   */
  public void write(CaptionSidecarRecord record) throws IOException {
    if (finished) {
      throw new IllegalStateException("sidecar " + target + " was already committed or closed");
    }
    if (record.getCaption() == null || record.getCaption().isBlank()) {
      throw new IllegalArgumentException("sample '" + record.getKey() + "': a sidecar caption must not be empty (" + target + ")");
    }
    if (!keys.add(record.getKey())) {
      throw new IllegalArgumentException("sample '" + record.getKey() + "' written twice to sidecar " + target + "; a sidecar holds one record per key");
    }
    writer.append(record);
  }

  /** How many records were written so far. */
  public int size() {
    return keys.size();
  }

  /** Flushes, closes and atomically moves the file onto the target, replacing an older one. */
  public Path commit() throws IOException {
    if (finished) {
      throw new IllegalStateException("sidecar " + target + " was already committed or closed");
    }
    finished = true;
    writer.close();
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(temp);
      throw new IOException("cannot rename " + temp + " onto " + target + " atomically; put sidecars on a local or POSIX file system", e);
    }
    return target;
  }

  /** Abandons an uncommitted sidecar: the temporary file is deleted, the target untouched. */
  @Override
  public void close() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      writer.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove temporary sidecar " + temp, e);
    }
  }
}
