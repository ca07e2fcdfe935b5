package dev.recap.worker.data;

import ai.djl.ndarray.NDManager;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reading the user's photographs against reading the synthetic scenes, on one core: the
 * {@code dataset} stage's scan ({@link PairScan}: every sample decoded once) and the training
 * loader ({@link BatchLoader}, one decoding thread, 64 px batches with OpenCLIP's crop) over
 * WebDataset shards of (a) synthetic scene-like 64 px PNGs as {@code synth-data} writes them,
 * (b) the photographs of Debian's {@code mate-backgrounds} as img2dataset writes them by default
 * (256 x 256 JPEG), (c) the same photographs at mixed sizes: as shipped (2560 x 1600) and resized to
 * 1100, 600, 384, 256 and 97 px wide. One warm-up pass, then the best of 3. Run:
 *
 * <pre>
 * mvn -B -q -o -pl workers -am test-compile dependency:build-classpath -Dmdep.outputFile=target/data-cp.txt
 * java -Dai.djl.offline=true -cp workers/target/test-classes:workers/target/classes:bus/target/classes:plugins-api/target/classes:$(cat workers/target/data-cp.txt) \
 *   dev.recap.worker.data.OwnDataLoaderBenchmark
 * </pre>
 */
public final class OwnDataLoaderBenchmark {

  static final Path PHOTOS = Path.of("/usr/share/backgrounds/mate/nature");

  public static void main(String[] args) throws Exception {
    List<Path> photos;
    try (Stream<Path> files = Files.list(PHOTOS)) {
      photos = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    if (photos.isEmpty()) {
      throw new IllegalStateException("no photographs in " + PHOTOS + ": apt-get install -y mate-backgrounds");
    }
    Path dir = Files.createTempDirectory("recap-own-data-bench");
    Path synthetic = DatasetWriter.writeShards(new LoaderBenchmark.SceneLike(64), 0, 1024, 256, dir.resolve("synth"), "synth",
        ImageFormat.PNG).stream().findFirst().orElseThrow().getParent();
    List<Path> syntheticShards;
    try (Stream<Path> s = Files.list(synthetic)) {
      syntheticShards = s.filter(p -> p.toString().endsWith(".tar")).sorted().toList();
    }
    List<byte[]> square = new ArrayList<>();
    List<byte[]> mixed = new ArrayList<>();
    for (Path p : photos) {
      byte[] original = Files.readAllBytes(p);
      BufferedImage img = ImageIO.read(p.toFile());
      square.add(jpeg(resized(img, 256, 256)));
      mixed.add(original);
      for (int w : new int[] {1100, 600, 384, 256, 97}) {
        mixed.add(jpeg(resized(img, w, Math.max(1, w * img.getHeight() / img.getWidth()))));
      }
    }
    // repeat the 12 photos' variants so each set holds at least 256 images
    List<Path> squareShards = List.of(shard(dir.resolve("square.tar"), square, 256));
    List<Path> mixedShards = List.of(shard(dir.resolve("mixed.tar"), mixed, 288));
    System.out.printf(Locale.ROOT, "| shards | images | bytes per record | scan (decode once), images/s | vs synthetic |"
        + " loader, 64 px training batches, images/s | vs synthetic |%n| --- | --- | --- | --- | --- | --- | --- |%n");
    double[] reference = null;
    for (Object[] set : new Object[][] {{"synthetic scenes, 64 px PNG", syntheticShards, 1024},
        {"photos, 256 x 256 JPEG (img2dataset's default)", squareShards, 256},
        {"photos, mixed sizes 97-2560 px JPEG", mixedShards, 288}}) {
      @SuppressWarnings("unchecked")
      List<Path> shards = (List<Path>) set[1];
      scan(shards);
      loader(shards);
      double scan = 0;
      double load = 0;
      for (int rep = 0; rep < 3; rep++) {
        scan = Math.max(scan, scan(shards));
        load = Math.max(load, loader(shards));
      }
      if (reference == null) {
        reference = new double[] {scan, load};
      }
      long bytes = 0;
      for (Path s : shards) {
        bytes += Files.size(s);
      }
      System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.3f | %.1f | %.3f |%n", set[0], (int) set[2],
          bytes / (double) (int) set[2], scan, scan / reference[0], load, load / reference[1]);
    }
  }

  private static double scan(List<Path> shards) {
    long t0 = System.nanoTime();
    long n = 0;
    PairScan scan = new PairScan(CaptionField.TXT, null, new SkipReport());
    for (Path s : shards) {
      n += scan.scan(s).kept().size();
    }
    if (n == 0) {
      throw new IllegalStateException("nothing kept");
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static double loader(List<Path> shards) throws Exception {
    LoaderOptions opt = LoaderOptions.builder().batchSize(64).imageSize(64).threads(1).prefetch(4).shuffleBuffer(256).seed(1).build();
    long images = 0;
    long t0 = System.nanoTime();
    try (BatchLoader loader = new BatchLoader(shards.stream().map(TarShard::new).toList(), opt);
        NDManager nd = NDManager.newBaseManager()) {
      for (Batch b = loader.next(nd); b != null; b = loader.next(nd)) {
        images += b.size();
        b.close();
      }
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }

  /** {@code count} records cycling through {@code images}, keys 000000000 ..., captions "photo N". */
  private static Path shard(Path file, List<byte[]> images, int count) throws Exception {
    try (WebDatasetWriter w = new WebDatasetWriter(file, ImageFormat.JPEG)) {
      for (int i = 0; i < count; i++) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("jpg", images.get(i % images.size()));
        m.put("txt", ("photo " + i).getBytes(StandardCharsets.UTF_8));
        m.put("json", ("{\"key\":\"" + String.format(Locale.ROOT, "%09d", i) + "\"}").getBytes(StandardCharsets.UTF_8));
        w.writeRecord(String.format(Locale.ROOT, "%09d", i), m);
      }
    }
    return file;
  }

  private static BufferedImage resized(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  private static byte[] jpeg(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    return out.toByteArray();
  }
}
