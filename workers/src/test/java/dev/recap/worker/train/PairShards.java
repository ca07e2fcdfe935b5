package dev.recap.worker.train;

import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.worker.data.DatasetWriter;
import dev.recap.worker.data.ImageFormat;
import dev.recap.worker.data.WebDatasetWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes the learnable pairs of {@link SyntheticPairs} (a coloured square on one of four
 * quadrants, captioned with colour and place) as real WebDataset shards, for the gang tests that
 * train from shards: sample {@code i} has key {@code sample-NNNNN}, its caption as
 * {@code key.txt} and, under {@code captions.quality}, a reworded one (a stand-in curated caption).
 */
public final class PairShards {

  private PairShards() {}

  /** Writes {@code samples} pairs into shards of {@code shardSize} in {@code dir}; returns them in order. */
  public static List<Path> write(Path dir, int samples, int shardSize, int size, long seed) throws IOException {
    List<Path> shards = new ArrayList<>();
    for (int start = 0; start < samples; start += shardSize) {
      Path path = dir.resolve(DatasetWriter.shardName("pairs", shards.size()));
      try (WebDatasetWriter writer = new WebDatasetWriter(path, ImageFormat.PNG)) {
        for (int i = start; i < Math.min(samples, start + shardSize); i++) {
          writer.write(sample(i, size, seed));
        }
      }
      shards.add(path);
    }
    return shards;
  }

  /** The shards {@link #write} wrote into {@code dir}, in order. */
  public static List<Path> in(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tar")).sorted().toList();
    }
  }

  static Sample sample(int i, int size, long seed) {
    int cls = i % 16;
    Random random = new Random(seed * 1_000_003L + i);
    byte[] rgb = new byte[size * size * 3];
    int half = size / 2;
    int x0 = (cls / 4) % 2 * half + size / 8;
    int y0 = (cls / 4) / 2 * half + size / 8;
    int[][] colours = {{230, 30, 30}, {30, 230, 30}, {30, 30, 230}, {230, 230, 30}};
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        boolean inside = y >= y0 && y < y0 + half - size / 4 && x >= x0 && x < x0 + half - size / 4;
        for (int c = 0; c < 3; c++) {
          int v = (inside ? colours[cls % 4][c] : 128) + (int) (20 * random.nextGaussian());
          rgb[(y * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    String caption = SyntheticPairs.caption(cls);
    return new Sample(String.format(Locale.ROOT, "sample-%05d", i), new RgbImage(size, size, rgb),
        Map.of(Sample.ALT, caption, Sample.QUALITY, caption.replace("a ", "one ")), List.<ObjectAnnotation>of(), null, null);
  }
}
