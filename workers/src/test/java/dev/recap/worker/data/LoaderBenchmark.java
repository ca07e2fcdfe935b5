package dev.recap.worker.data;

import ai.djl.ndarray.NDManager;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.api.data.SampleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Decode + augment + batch throughput of {@link BatchLoader} (images/s) at 64 and 224 px with 1
 * and 2 loader threads, over PNG shards of scene-like images (sky gradient, ground, a few boxes,
 * +-6 pixel noise, like synth-scenes). Reference in the same run: PNG decoding alone on the
 * calling thread. Run:
 *
 * <pre>
 * mvn -B -q -o -pl workers -am test-compile
 * java -cp workers/target/test-classes:workers/target/classes:$(cat cp.txt) dev.recap.worker.data.LoaderBenchmark [samples]
 * </pre>
 */
public final class LoaderBenchmark {

  /** Scene-like images: smooth regions plus mild noise, so PNG sizes resemble synth-scenes'. */
  record SceneLike(int size) implements SampleSource.Generator {
    @Override
    public Sample sample(long index) {
      SplittableRandom rnd = new SplittableRandom(index);
      byte[] rgb = new byte[size * size * 3];
      int horizon = size / 3 + rnd.nextInt(size / 6);
      int bx = rnd.nextInt(size / 2);
      int by = horizon + rnd.nextInt(size / 3);
      int bs = size / 6 + rnd.nextInt(size / 4);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int[] c = y < horizon ? new int[] {80 + 120 * y / horizon, 130 + 90 * y / horizon, 220}
              : ((x / 8 + y / 8) % 2 == 0 ? new int[] {137, 121, 93} : new int[] {112, 99, 76});
          if (x >= bx && x < bx + bs && y >= by - bs && y < by) {
            c = new int[] {210, 40, 40};
          }
          for (int k = 0; k < 3; k++) {
            rgb[(y * size + x) * 3 + k] = (byte) Math.max(0, Math.min(255, c[k] + rnd.nextInt(13) - 6));
          }
        }
      }
      return new Sample(String.format(Locale.ROOT, "%09d", index), new RgbImage(size, size, rgb),
          Map.of(Sample.ALT, "a red box " + index), List.of(), null, null);
    }

    @Override
    public List<String> classNames() {
      return List.of();
    }
  }

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
    Path dir = Files.createTempDirectory("recap-loader-bench");
    System.out.printf(Locale.ROOT,
        "| size | loader threads | loader images/s | vs 64 px, 1 thread | decode only (ImageCodec), images/s | reference ImageIO.read, images/s |%n");
    System.out.printf(Locale.ROOT, "| --- | --- | --- | --- | --- | --- |%n");
    double reference = 0;
    for (int size : new int[] {64, 224}) {
      int n = size == 64 ? samples : samples / 4;
      List<RecordShard> shards = DatasetWriter.writeShards(new SceneLike(size), 0, n, 256, dir.resolve("s" + size),
          "bench", ImageFormat.PNG).stream().<RecordShard>map(TarShard::new).toList();
      decodeOnly(shards, false); // warm-up
      decodeOnly(shards, true);
      double decodeOnly = Math.max(decodeOnly(shards, false), decodeOnly(shards, false));
      double imageIo = Math.max(decodeOnly(shards, true), decodeOnly(shards, true));
      for (int threads : new int[] {1, 2}) {
        run(shards, size, threads); // warm-up
        double best = 0;
        for (int rep = 0; rep < 3; rep++) {
          best = Math.max(best, run(shards, size, threads));
        }
        if (size == 64 && threads == 1) {
          reference = best;
        }
        System.out.printf(Locale.ROOT, "| %d | %d | %.0f | %.2f | %.0f | %.0f |%n", size, threads, best, best / reference,
            decodeOnly, imageIo);
      }
    }
  }

  private static double run(List<RecordShard> shards, int size, int threads) throws Exception {
    LoaderOptions opt = LoaderOptions.builder().batchSize(64).imageSize(size).threads(threads).prefetch(4)
        .shuffleBuffer(256).seed(1).build();
    long images = 0;
    long t0 = System.nanoTime();
    try (BatchLoader loader = new BatchLoader(shards, opt); NDManager nd = NDManager.newBaseManager()) {
      for (Batch b = loader.next(nd); b != null; b = loader.next(nd)) {
        images += b.size();
        b.close();
      }
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }

  private static double decodeOnly(List<RecordShard> shards, boolean imageIoRead) throws Exception {
    long images = 0;
    long t0 = System.nanoTime();
    for (RecordShard shard : shards) {
      try (RecordCursor c = shard.open(new SkipReport())) {
        for (RawRecord r = c.next(); r != null; r = c.next()) {
          if (imageIoRead) {
            javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.members().get("png")));
          } else {
            ImageCodec.decode(r.members().get("png"));
          }
          images++;
        }
      }
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }
}
