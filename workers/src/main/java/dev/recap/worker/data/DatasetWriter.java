package dev.recap.worker.data;

import dev.recap.api.data.SampleSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Materializes a range of a {@link SampleSource.Generator} through the same writers users' data
 * goes through: WebDataset shards for image-text pairs, ADE20k-style and NYUv2-style folders for
 * the dense splits.
 */
public final class DatasetWriter {

  private DatasetWriter() {}

  /** The file name of shard {@code n}: {@code <prefix>-000042.tar}. */
  public static String shardName(String prefix, int n) {
    return String.format(Locale.ROOT, "%s-%06d.tar", prefix, n);
  }

  /**
   * Writes samples {@code [from, to)} into shards of {@code shardSize} samples, named by
   * {@link #shardName}; each shard appears atomically.
   *
   * @return the shard paths in order
   */
  public static List<Path> writeShards(SampleSource.Generator generator, long from, long to, int shardSize,
      Path dir, String prefix, ImageFormat format) throws IOException {
    if (from < 0 || to < from || shardSize <= 0) {
      throw new IllegalArgumentException("need 0 <= from <= to and shardSize > 0, got from=" + from + " to=" + to + " shardSize=" + shardSize);
    }
    List<Path> shards = new ArrayList<>();
    for (long start = from; start < to; start += shardSize) {
      Path shard = dir.resolve(shardName(prefix, shards.size()));
      WebDatasetWriter writer = new WebDatasetWriter(shard, format);
      try {
        for (long i = start; i < Math.min(to, start + shardSize); i++) {
          writer.write(generator.sample(i));
        }
        writer.close();
      } catch (IOException | RuntimeException e) {
        writer.abort();
        throw e;
      }
      shards.add(shard);
    }
    return shards;
  }

  /** Writes samples {@code [from, to)} into a dense folder of {@code layout}. */
  public static void writeDenseFolder(SampleSource.Generator generator, long from, long to, Path root,
      DenseFolderLayout layout, ImageFormat format) throws IOException {
    DenseFolderWriter writer = new DenseFolderWriter(root, layout, format);
    for (long i = from; i < to; i++) {
      writer.write(generator.sample(i));
    }
  }
}
