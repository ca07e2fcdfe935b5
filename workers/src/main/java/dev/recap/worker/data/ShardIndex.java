package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * WebDataset shards indexed for random access: sample {@code i} (numbered over all shards, in
 * shard order, then tar order) is read by position, without streaming the shard. Building the
 * index reads only the tar headers. Used where a sample must be found by number, e.g. the fixed
 * global batches of gang training, where each rank reads just the rows of its slice.
 *
 * <p>Records are grouped like {@link TarShard} does (consecutive members sharing a key). Reads
 * are positional, so one index may serve several threads.
 */
public final class ShardIndex implements AutoCloseable {

  /** Where one member's bytes are in its tar. */
  private record Member(String extension, long offset, int size) {}

  private record Entry(int shard, String key, List<Member> members) {}

  private final List<Path> shards;
  private final List<Entry> entries;
  private final FileChannel[] channels;

  private ShardIndex(List<Path> shards, List<Entry> entries) {
    this.shards = List.copyOf(shards);
    this.entries = entries;
    this.channels = new FileChannel[shards.size()];
  }

  /**
   * Indexes {@code shards} (tar headers only).
   *
   * @throws ShardOpenException naming the shard that is missing or not a tar
   */
  public static ShardIndex open(List<Path> shards) {
    List<Entry> entries = new ArrayList<>();
    for (int s = 0; s < shards.size(); s++) {
      Path path = shards.get(s);
      try (TarFile tar = new TarFile(path)) {
        String key = null;
        List<Member> members = new ArrayList<>();
        for (TarArchiveEntry e : tar.getEntries()) {
          if (!e.isFile()) {
            continue;
          }
          String file = e.getName().substring(e.getName().lastIndexOf('/') + 1);
          int dot = file.indexOf('.');
          String k = dot < 0 ? file : file.substring(0, dot);
          String ext = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
          if (key != null && !key.equals(k)) {
            entries.add(new Entry(s, key, List.copyOf(members)));
            members = new ArrayList<>();
          }
          key = k;
          if (e.getSize() > Integer.MAX_VALUE) {
            throw new IOException("member " + e.getName() + " is larger than 2 GiB");
          }
          members.add(new Member(ext, e.getDataOffset(), (int) e.getSize()));
        }
        if (key != null) {
          entries.add(new Entry(s, key, List.copyOf(members)));
        }
      } catch (IOException | RuntimeException e) {
        throw new ShardOpenException(path, e);
      }
    }
    return new ShardIndex(shards, List.copyOf(entries));
  }

  /** Samples over all shards. */
  public int size() {
    return entries.size();
  }

  /** The indexed shards, in order. */
  public List<Path> shards() {
    return shards;
  }

  /** Sample {@code i}'s key. */
  public String key(int i) {
    return entries.get(i).key;
  }

  /** The shard holding sample {@code i}. */
  public Path shard(int i) {
    return shards.get(entries.get(i).shard);
  }

  /**
   * Sample {@code i}'s undecoded record.
   *
   * @throws UncheckedIOException naming the shard if its bytes cannot be read
   */
  public RawRecord read(int i) {
    Entry e = entries.get(i);
    Map<String, byte[]> members = new LinkedHashMap<>();
    for (Member m : e.members) {
      members.put(m.extension, bytes(e.shard, m));
    }
    return new RawRecord(shards.get(e.shard).toString(), e.key, Map.copyOf(members));
  }

  /**
   * Sample {@code i}'s original caption ({@code key.txt}, else {@code captions.alt} of
   * {@code key.json}) without decoding its image, or null.
   */
  public String originalCaption(int i) {
    Entry e = entries.get(i);
    for (Member m : e.members) {
      if (m.extension.equals("txt")) {
        return new String(bytes(e.shard, m), StandardCharsets.UTF_8);
      }
    }
    for (Member m : e.members) {
      if (m.extension.equals("json")) {
        try {
          JsonObject captions = new JsonObject(new String(bytes(e.shard, m), StandardCharsets.UTF_8)).getJsonObject("captions");
          return captions == null ? null : captions.getString(Sample.ALT);
        } catch (RuntimeException bad) {
          return null; // decoding the sample will report it
        }
      }
    }
    return null;
  }

  private byte[] bytes(int shard, Member m) {
    ByteBuffer buffer = ByteBuffer.allocate(m.size);
    try {
      FileChannel channel = channel(shard);
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, m.offset + buffer.position());
        if (n < 0) {
          throw new IOException("ends before byte " + (m.offset + m.size) + " (truncated since it was indexed?)");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("shard " + shards.get(shard) + ": " + e.getMessage(), e);
    }
    return buffer.array();
  }

  private synchronized FileChannel channel(int shard) throws IOException {
    if (channels[shard] == null) {
      channels[shard] = FileChannel.open(shards.get(shard), StandardOpenOption.READ);
    }
    return channels[shard];
  }

  @Override
  public synchronized void close() {
    for (int s = 0; s < channels.length; s++) {
      if (channels[s] != null) {
        try {
          channels[s].close();
        } catch (IOException e) {
          // a read-only channel loses nothing on a failed close
        }
        channels[s] = null;
      }
    }
  }
}
