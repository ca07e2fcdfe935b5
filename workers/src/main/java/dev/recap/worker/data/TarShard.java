package dev.recap.worker.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A WebDataset tar shard, read as a stream: consecutive members sharing a key (the file name up
 * to its first '.') form a record; only one record is in memory at a time.
 */
public record TarShard(Path path) implements RecordShard {

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public RecordCursor open(SkipReport report) {
    InputStream in;
    try {
      in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    } catch (IOException | RuntimeException e) {
      throw new ShardOpenException(path, e);
    }
    return new Cursor(new TarArchiveInputStream(in), report);
  }

  private final class Cursor implements RecordCursor {
    private final TarArchiveInputStream tar;
    private final SkipReport report;
    private TarArchiveEntry pending;
    private byte[] pendingBytes;
    private boolean ended;
    private boolean anyEntry;

    Cursor(TarArchiveInputStream tar, SkipReport report) {
      this.tar = tar;
      this.report = report;
    }

    @Override
    public RawRecord next() {
      String key = null;
      Map<String, byte[]> members = new LinkedHashMap<>();
      try {
        while (!ended) {
          if (pending == null) {
            TarArchiveEntry e = tar.getNextEntry();
            if (e == null) {
              ended = true;
              break;
            }
            if (!e.isFile()) {
              continue;
            }
            pending = e;
            anyEntry = true;
            pendingBytes = tar.readAllBytes();
            if (pendingBytes.length != e.getSize()) {
              throw new IOException("member " + e.getName() + " has " + pendingBytes.length + " of " + e.getSize() + " bytes");
            }
          }
          String file = pending.getName().substring(pending.getName().lastIndexOf('/') + 1);
          int dot = file.indexOf('.');
          String k = dot < 0 ? file : file.substring(0, dot);
          String ext = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
          if (key != null && !key.equals(k)) {
            break; // pending starts the next record
          }
          key = k;
          members.put(ext, pendingBytes);
          pending = null;
          pendingBytes = null;
        }
      } catch (IOException | RuntimeException e) {
        ended = true;
        if (!anyEntry) {
          throw new ShardOpenException(path, e); // not a tar at all
        }
        report.skip(name(), key == null ? "?" : key, SkipReason.TRUNCATED_SHARD,
            "shard breaks off, the rest of it is lost: " + e.getMessage());
        return null;
      }
      return key == null ? null : new RawRecord(name(), key, Map.copyOf(members));
    }

    @Override
    public void close() {
      try {
        tar.close();
      } catch (IOException e) {
        // nothing was written; a failed close of a read stream loses nothing
      }
    }
  }
}
