package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonObject;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own data through every stage on the embedded default: a small WebDataset in
 * img2dataset's layout ({@code 00000.tar}, keys {@code 000000000} with {@code .jpg}, {@code .txt},
 * {@code .json}) built from the real photographs Debian's {@code mate-backgrounds} ships, with the
 * defects web data has (a truncated JPEG, a web page saved as .jpg, a pair without caption), every
 * image mode (gray, RGBA, palette, progressive JPEG) and sizes from 8 px to the photos' full 2560
 * px; then dataset -> train-captioner (on the pairs with a trusted caption) -> curate (learned) ->
 * pretrain -> evaluate (retrieval on the held-out pairs) -> report, with a tiny model.
 */
class OwnDataPipelineTest {

  static final Path PHOTOS = Path.of("/usr/share/backgrounds/mate/nature");

  /** Held-out pairs for retrieval. */
  static final int HELD_OUT = 6;

  /** A sample of the fixture: its members and whether the dataset stage must keep it (else the reason it skips it). */
  private record Fixture(String key, Map<String, byte[]> members, String skipReason, boolean trusted) {}

  @Test
  void ownWebDatasetTrainsEveryGoodPairAndSkipsEveryBadOneWithItsReason(@TempDir Path tmp) throws Exception {
    List<Path> photos = photos();
    List<Fixture> fixtures = fixtures(photos);
    Path shards = Files.createDirectories(tmp.resolve("own/shards"));
    int half = fixtures.size() / 2;
    tar(shards.resolve("00000.tar"), fixtures.subList(0, half));
    tar(shards.resolve("00001.tar"), fixtures.subList(half, fixtures.size()));
    long good = fixtures.stream().filter(f -> f.skipReason() == null).count();
    Map<String, Long> skips = new LinkedHashMap<>();
    fixtures.stream().filter(f -> f.skipReason() != null).forEach(f -> skips.merge(f.skipReason(), 1L, Long::sum));

    String yaml = """
        name: own-data
        seed: 3
        maxAttempts: 1
        leaseSeconds: 30
        stages:
          - {name: data, kind: dataset, shards: 'shards/{00000..00001}.tar', heldOut: %d, referenceCaption: json:trusted}
          - name: captioner
            kind: train-captioner
            after: [data]
            config: {encoder: vit, encoder.preset: vit-tiny, imageSize: 64, steps: 6, batchSize: 8}
          - {name: curate, kind: curate, after: [data, captioner], sources: [learned], batchSize: 16}
          - name: pretrain
            kind: pretrain
            after: [data, curate]
            imageSize: 64
            batchSize: 16
            warmupSteps: 1
            checkpointEvery: 0
            runs: [{name: vit-learned, encoder: vit, encoderConfig: {preset: vit-tiny}, captions: learned}]
          - {name: evaluate, kind: evaluate, after: [data, pretrain], protocols: [], tasks: []}
          - {name: report, kind: report, after: [data, pretrain, evaluate], copyTo: ''}
        """.formatted(HELD_OUT);
    Path spec = tmp.resolve("own/own-data.yaml");
    Files.writeString(spec, yaml);
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, yaml, spec.toString(), spec.getParent(), Duration.ofMinutes(4),
        (member, jobId) -> {});
    JobStatus done = job.done();
    assertEquals("SUCCEEDED", done.state(), () -> "job failed: " + done.cause());
    Map<String, Path> tasks = job.tasks();

    // the dataset stage: every good pair kept, every bad one skipped with its reason
    JsonObject data = json(tasks.get("data_pairs").resolve("result.json"));
    assertEquals(fixtures.size(), data.getLong("samples"));
    assertEquals(good, data.getLong("kept"));
    assertEquals(good - HELD_OUT, data.getLong("training"));
    assertEquals(HELD_OUT, data.getLong("heldOut"));
    assertEquals(skips, data.getJsonObject("skipped").getMap().entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> ((Number) e.getValue()).longValue(), (a, b) -> a,
            LinkedHashMap::new)));
    List<String> skippedCsv = Files.readAllLines(tasks.get("data_pairs").resolve("skipped.csv"));
    for (Fixture f : fixtures) {
      if (f.skipReason() != null) {
        assertTrue(skippedCsv.stream().anyMatch(l -> l.contains("\"" + f.key() + "\"," + f.skipReason() + ",")),
            f.key() + " skipped as " + f.skipReason() + ": " + skippedCsv);
      }
    }
    assertTrue(data.getJsonObject("imageSizes").getString("smallest").startsWith("8x"), data.encode());
    assertTrue(data.getJsonObject("imageSizes").getString("largest").startsWith("2560x"), data.encode());

    // the captioner trained on the training pairs with a trusted caption
    long trusted = fixtures.stream().filter(f -> f.skipReason() == null && f.trusted()).count();
    JsonObject captioner = json(tasks.get("captioner_captioner").resolve("captioner.json"));
    assertEquals(data.getLong("reference"), captioner.getLong("references"));
    assertTrue(captioner.getLong("references") > 0 && captioner.getLong("references") <= trusted, captioner.encode());

    // curate captioned every training pair, and pretraining trained on every one of them
    long curated = tasks.keySet().stream().filter(k -> k.startsWith("curate_learned-"))
        .mapToLong(k -> json(tasks.get(k).resolve("stats.json")).getLong("samples")).sum();
    assertEquals(good - HELD_OUT, curated);
    JsonObject pretrain = json(tasks.get("pretrain_vit-learned-s1").resolve("result.json"));
    assertEquals(good - HELD_OUT, pretrain.getJsonObject("metrics").getLong("samples"), "every good training pair trains");
    assertEquals(good - HELD_OUT, pretrain.getJsonObject("metrics").getLong("pairsSeen"), "one epoch sees each once");

    // retrieval ranks the held-out pairs
    JsonObject retrieval = json(tasks.get("evaluate_vit-learned-s1-retrieval").resolve("result.json"));
    assertEquals(HELD_OUT, retrieval.getJsonObject("metrics").getLong("pairs"));
    double r1 = retrieval.getJsonObject("metrics").getDouble("r1");
    assertTrue(r1 >= 0 && r1 <= 1, "R@1 " + r1);

    // the report shows what the data stage kept and skipped
    String report = Files.readString(tasks.get("report_report").resolve("report.md"));
    assertTrue(report.contains("## Data"), report);
    assertTrue(report.contains("| data | 2 | " + fixtures.size() + " | " + good + " | " + (good - HELD_OUT) + " | " + HELD_OUT),
        report);
    assertTrue(report.contains("corrupt image " + skips.get("CORRUPT_IMAGE")), report);
    assertTrue(report.contains("missing caption " + skips.get("MISSING_CAPTION")), report);
  }

  /** The package's photographs; the test fails, saying what to install, without them. */
  static List<Path> photos() throws Exception {
    assertTrue(Files.isDirectory(PHOTOS), PHOTOS + " is missing: this test builds its WebDataset from the photographs of Debian's"
        + " mate-backgrounds package; install it with: apt-get install -y mate-backgrounds");
    List<Path> photos;
    try (Stream<Path> files = Files.list(PHOTOS)) {
      photos = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    assertTrue(photos.size() >= 8, "mate-backgrounds should ship 12 JPEG photographs in " + PHOTOS + ", found " + photos
        + "; reinstall it: apt-get install --reinstall -y mate-backgrounds");
    return photos;
  }

  /**
   * Per photo: the original JPEG as shipped (2560 px wide), a copy resized to a size from 8 to 1100
   * px, and one of gray PNG, RGBA PNG, palette PNG, progressive JPEG; then the defects. Captions
   * name the photo; the originals also carry a trusted caption in key.json.
   */
  static List<Fixture> fixtures(List<Path> photos) throws Exception {
    int[] sizes = {8, 13, 24, 40, 64, 97, 150, 240, 380, 600, 800, 1100};
    List<Fixture> out = new ArrayList<>();
    int key = 0;
    for (int i = 0; i < photos.size(); i++) {
      String name = photos.get(i).getFileName().toString().replace(".jpg", "").toLowerCase(Locale.ROOT);
      byte[] original = Files.readAllBytes(photos.get(i));
      BufferedImage photo = ImageIO.read(photos.get(i).toFile());
      out.add(pair(key++, "jpg", original, "a photograph of " + name, "a full-size photo of " + name));
      int size = sizes[i % sizes.length];
      BufferedImage small = resized(photo, size, Math.max(1, size * photo.getHeight() / photo.getWidth()));
      out.add(pair(key++, "jpg", encode(small, "jpeg"), "a small photograph of " + name + ", " + size + " px wide", null));
      BufferedImage square = resized(photo, 96, 96);
      switch (i % 4) {
        case 0 -> out.add(pair(key++, "png", encode(convert(square, BufferedImage.TYPE_BYTE_GRAY), "png"),
            "a gray photograph of " + name, null));
        case 1 -> {
          BufferedImage rgba = convert(square, BufferedImage.TYPE_INT_ARGB);
          rgba.setRGB(0, 0, 0x00FFFFFF); // a transparent corner
          out.add(pair(key++, "png", encode(rgba, "png"), "a photograph of " + name + " with transparency", null));
        }
        case 2 -> out.add(pair(key++, "png", encode(palette(square), "png"), "a photograph of " + name + " in 256 colours", null));
        default -> out.add(pair(key++, "jpg", progressive(square), "a progressive photograph of " + name, null));
      }
    }
    byte[] whole = Files.readAllBytes(photos.get(0));
    out.add(bad(key++, "jpg", Arrays.copyOf(whole, whole.length / 2), "a photograph cut in half", "CORRUPT_IMAGE"));
    out.add(bad(key++, "jpg", "<html><body>404 Not Found</body></html>".getBytes(StandardCharsets.UTF_8), "a broken link",
        "CORRUPT_IMAGE"));
    out.add(bad(key++, "jpg", encode(resized(ImageIO.read(photos.get(1).toFile()), 50, 40), "jpeg"), null, "MISSING_CAPTION"));
    return out;
  }

  private static Fixture pair(int key, String ext, byte[] image, String caption, String trusted) {
    String k = String.format(Locale.ROOT, "%09d", key);
    return new Fixture(k, members(k, ext, image, caption, trusted), null, trusted != null);
  }

  private static Fixture bad(int key, String ext, byte[] image, String caption, String reason) {
    String k = String.format(Locale.ROOT, "%09d", key);
    return new Fixture(k, members(k, ext, image, caption, null), reason, false);
  }

  /** img2dataset's members: the image, key.txt (the caption, absent for a pair without one), key.json. */
  private static Map<String, byte[]> members(String key, String ext, byte[] image, String caption, String trusted) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put(ext, image);
    if (caption != null) {
      m.put("txt", caption.getBytes(StandardCharsets.UTF_8));
    }
    JsonObject json = new JsonObject().put("key", key).put("status", "success").put("url", "https://example.org/" + key + "." + ext);
    if (trusted != null) {
      json.put("trusted", trusted);
    }
    m.put("json", json.encode().getBytes(StandardCharsets.UTF_8));
    return m;
  }

  private static void tar(Path file, List<Fixture> fixtures) throws Exception {
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file))) {
      for (Fixture f : fixtures) {
        for (Map.Entry<String, byte[]> m : f.members().entrySet()) {
          TarArchiveEntry e = new TarArchiveEntry(f.key() + "." + m.getKey());
          e.setSize(m.getValue().length);
          tar.putArchiveEntry(e);
          tar.write(m.getValue());
          tar.closeArchiveEntry();
        }
      }
    }
  }

  private static BufferedImage resized(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  private static BufferedImage convert(BufferedImage src, int type) {
    BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
    Graphics2D g = out.createGraphics();
    g.drawImage(src, 0, 0, null);
    g.dispose();
    return out;
  }

  /** A 6x6x6 colour cube palette image. */
  private static BufferedImage palette(BufferedImage src) {
    byte[] r = new byte[216];
    byte[] g = new byte[216];
    byte[] b = new byte[216];
    for (int i = 0; i < 216; i++) {
      r[i] = (byte) (i / 36 * 51);
      g[i] = (byte) (i / 6 % 6 * 51);
      b[i] = (byte) (i % 6 * 51);
    }
    BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 216, r, g, b));
    Graphics2D gr = out.createGraphics();
    gr.drawImage(src, 0, 0, null);
    gr.dispose();
    return out;
  }

  private static byte[] encode(BufferedImage img, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), "no " + format + " writer");
    return out.toByteArray();
  }

  private static byte[] progressive(BufferedImage img) throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.write(null, new IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static JsonObject json(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
