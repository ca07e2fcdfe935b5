package dev.recap.worker.data;

import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseTask;
import dev.recap.bus.DenseFormat;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * One split of a dense benchmark indexed where it lies: the directory a {@code dense-data} task
 * declares as a {@code dense-index}. It holds
 *
 * <ul>
 *   <li>{@code dense.json}: {@code format}, {@code task}, {@code split}, {@code root} (absolute),
 *       {@code listed} (pairs in the split), {@code limit}, {@code count} (pairs indexed),
 *       {@code skipped} (count by reason) and {@code skippedFiles} (the first ones, with key and
 *       reason), {@code classNames} (ADE20k's 150), and how the benchmark is scored:
 *       {@code labels} ({@code reduce_zero_label}) or {@code depth} ({@code minDepth},
 *       {@code maxDepth}, {@code eigenCrop});
 *   <li>{@code samples.tsv}: one line per usable pair, {@code key, image, label, width, height},
 *       paths relative to the root.
 * </ul>
 *
 * <p>Samples are decoded when they are read ({@link #samples()}), with the benchmark's label
 * conventions applied: ADE20k labels 0 ("other") and anything above 150 become
 * {@link DenseTask#IGNORE_CLASS}, 1..150 become class ids 0..149 (mmsegmentation's
 * {@code reduce_zero_label}); NYUv2 depth PNGs are millimetres, 0 = no measurement.
 */
public final class DenseIndex {

  /** The manifest inside an index directory. */
  public static final String MANIFEST = "dense.json";

  /** The pair list inside an index directory. */
  public static final String SAMPLES = "samples.tsv";

  /** NYUv2's evaluation range and crop, as the Eigen-split evaluations (BTS, AdaBins) score it. */
  public static final double NYU_MIN_DEPTH = 1e-3;

  public static final double NYU_MAX_DEPTH = 10.0;

  /** ADE20k's label count: 1..150 are classes, 0 is "other". */
  static final int ADE20K_LABELS = 150;

  /** One indexed pair; paths relative to the root, {@code /}-separated. */
  public record Entry(String key, String image, String target, int width, int height) {}

  private final DenseFormat format;
  private final Path root;
  private final JsonObject manifest;
  private final List<Entry> entries;

  private DenseIndex(DenseFormat format, Path root, JsonObject manifest, List<Entry> entries) {
    this.format = format;
    this.root = root;
    this.manifest = manifest;
    this.entries = List.copyOf(entries);
  }

  /** Whether {@code dir} is an index (its manifest names a benchmark format), not a synth-data dense folder. */
  public static boolean isIndex(Path dir) {
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest) || !Files.isRegularFile(dir.resolve(SAMPLES))) {
      return false;
    }
    try {
      return new JsonObject(Files.readString(manifest)).containsKey("format");
    } catch (IOException | DecodeException e) {
      return false;
    }
  }

  /**
   * Reads an index directory.
   *
   * @throws IOException if its files cannot be read
   * @throws IllegalArgumentException naming the file and line that does not follow the format
   */
  public static DenseIndex read(Path dir) throws IOException {
    Path manifestFile = dir.resolve(MANIFEST);
    JsonObject manifest;
    try {
      manifest = new JsonObject(Files.readString(manifestFile));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(dir + " is not a dense index: it has no " + MANIFEST, e);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(manifestFile + " is not JSON: " + e.getMessage(), e);
    }
    DenseFormat format = DenseFormat.ofWireName(manifest.getString("format", ""));
    Path root = Path.of(manifest.getString("root", ""));
    List<Entry> entries = new ArrayList<>();
    Path samples = dir.resolve(SAMPLES);
    List<String> lines = Files.readAllLines(samples, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 5) {
        throw new IllegalArgumentException(samples + " line " + (i + 1) + ": expected key, image, label, width, height"
            + " separated by tabs, got " + f.length + " fields");
      }
      try {
        entries.add(new Entry(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4])));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(samples + " line " + (i + 1) + ": width and height must be whole numbers", e);
      }
    }
    return new DenseIndex(format, root, manifest, entries);
  }

  /**
   * Writes an index into {@code dir} (created).
   *
   * @param counts {@code listed}, {@code limit}, {@code skipped}, {@code skippedFiles}: put into the manifest as given
   */
  public static void write(Path dir, DenseFormat format, Path root, String split, List<Entry> entries, JsonObject counts)
      throws IOException {
    Files.createDirectories(dir);
    JsonObject manifest = new JsonObject().put("format", format.wireName()).put("task", format.task()).put("split", split)
        .put("root", root.toString()).put("count", entries.size());
    counts.forEach(e -> manifest.put(e.getKey(), e.getValue()));
    switch (format) {
      case ADE20K -> manifest.put("labels", "reduce_zero_label: 0 (other) and labels above 150 are ignored, 1..150 are"
          + " class ids 0..149").put("classNames", new JsonArray(new ArrayList<>(Ade20kClasses.NAMES)));
      case NYUV2 -> manifest.put("depth", new JsonObject().put("unit", "millimetres, 0 = no measurement")
          .put("minDepth", NYU_MIN_DEPTH).put("maxDepth", NYU_MAX_DEPTH).put("eigenCrop", true));
    }
    StringBuilder lines = new StringBuilder();
    for (Entry e : entries) {
      lines.append(e.key()).append('\t').append(e.image()).append('\t').append(e.target()).append('\t').append(e.width())
          .append('\t').append(e.height()).append('\n');
    }
    Files.writeString(dir.resolve(SAMPLES), lines, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MANIFEST), manifest.encodePrettily(), StandardCharsets.UTF_8);
  }

  public DenseFormat format() {
    return format;
  }

  /** The benchmark's folder the paths are relative to. */
  public Path root() {
    return root;
  }

  /** The manifest as written ({@code dense.json}). */
  public JsonObject manifest() {
    return manifest.copy();
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Class names by class id (ADE20k's 150), empty for depth. */
  public List<String> classNames() {
    return format == DenseFormat.ADE20K ? Ade20kClasses.NAMES : List.of();
  }

  /** Depth: ground truth at or below this is not scored. */
  public double minDepth() {
    return depth().getDouble("minDepth", 0.0);
  }

  /** Depth: ground truth at or above this is not scored, predictions are clamped to it. */
  public double maxDepth() {
    return depth().getDouble("maxDepth", Double.POSITIVE_INFINITY);
  }

  /** Depth: whether only the Eigen crop of each image is scored. */
  public boolean eigenCrop() {
    return depth().getBoolean("eigenCrop", false);
  }

  private JsonObject depth() {
    JsonObject d = manifest.getJsonObject("depth");
    return d == null ? new JsonObject() : d;
  }

  /** The skip counts the indexing task recorded, by reason. */
  public Map<String, Object> skipped() {
    JsonObject s = manifest.getJsonObject("skipped");
    return s == null ? Map.of() : s.getMap();
  }

  /**
   * The indexed samples, decoded from the benchmark's files each time one is read, so the list
   * itself holds no pixels (a test split of full-size images is scored one image at a time).
   *
   * @throws IllegalStateException from {@code get}, naming the files, when a pair that was
   *     readable when indexed no longer is
   */
  public List<Sample> samples() {
    return new LazySamples();
  }

  private final class LazySamples extends AbstractList<Sample> implements RandomAccess {
    @Override
    public Sample get(int index) {
      Entry e = entries.get(index);
      try {
        return load(format, root, e.key(), e.image(), e.target());
      } catch (BadSampleException ex) {
        throw new IllegalStateException("sample " + e.key() + " (" + root.resolve(e.image()) + ", " + root.resolve(e.target())
            + ") was readable when the dense-data stage indexed it, but now: " + ex.getMessage()
            + "; restore the file or run the dense-data stage again", ex);
      }
    }

    @Override
    public int size() {
      return entries.size();
    }
  }

  /**
   * Reads and decodes one pair of {@code format} with its label conventions applied.
   *
   * @param image path of the image relative to {@code root}
   * @param target path of the label relative to {@code root}, null when the layout has none for the image
   * @throws BadSampleException with the reason to count: the image or label unreadable, a depth PNG
   *     that is not 16-bit, a label of another size than its image
   */
  public static Sample load(DenseFormat format, Path root, String key, String image, String target) throws BadSampleException {
    if (target == null) {
      throw new BadSampleException(SkipReason.MISSING_TARGET, "no label beside " + image + " (" + expectedTarget(format) + ")");
    }
    RgbImage rgb = ImageCodec.decode(readFile(root, image, SkipReason.MISSING_IMAGE));
    byte[] targetBytes = readFile(root, target, SkipReason.MISSING_TARGET);
    try {
      return switch (format) {
        case ADE20K -> {
          ImageCodec.ClassMap labels = ImageCodec.decodeClassMap(targetBytes);
          SampleCodec.checkSize("label " + target, labels.width(), labels.height(), rgb);
          yield new Sample(key, rgb, Map.of(), List.of(), reduceZeroLabel(labels.classes()), null);
        }
        case NYUV2 -> {
          ImageCodec.DepthMap depth = ImageCodec.decodeDepth(targetBytes);
          SampleCodec.checkSize("depth " + target, depth.width(), depth.height(), rgb);
          yield new Sample(key, rgb, Map.of(), List.of(), null, depth.metres());
        }
      };
    } catch (BadSampleException e) {
      throw new BadSampleException(e.reason(), target + ": " + e.getMessage(), e);
    }
  }

  private static String expectedTarget(DenseFormat format) {
    return switch (format) {
      case ADE20K -> "annotations/<split>/<key>.png";
      case NYUV2 -> "sync_depth_NNNNN.png beside rgb_NNNNN.jpg";
    };
  }

  private static byte[] readFile(Path root, String relative, SkipReason missing) throws BadSampleException {
    try {
      return Files.readAllBytes(root.resolve(relative));
    } catch (IOException e) {
      throw new BadSampleException(missing, "cannot read " + relative + ": " + e);
    }
  }

  /**
   * ADE20k's labels as class ids: 0 ("other") and labels above 150 become
   * {@link DenseTask#IGNORE_CLASS}, label {@code l} in 1..150 becomes class id {@code l - 1}.
   */
  static byte[] reduceZeroLabel(byte[] labels) {
    byte[] ids = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int l = labels[i] & 0xFF;
      ids[i] = (byte) (l >= 1 && l <= ADE20K_LABELS ? l - 1 : DenseTask.IGNORE_CLASS);
    }
    return ids;
  }
}
