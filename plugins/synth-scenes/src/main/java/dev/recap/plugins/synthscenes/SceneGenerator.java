package dev.recap.plugins.synthscenes;

import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.Sample;
import dev.recap.api.data.SampleSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic, thread-safe, random-access scene generator. Sample {@code i} depends only on
 * the options, the seed and {@code i}: each call derives its own random streams from them and
 * shares no state, so any worker can generate any index.
 */
public final class SceneGenerator implements SampleSource.Generator {

  private static final List<String> CLASS_NAMES = classNamesList();

  private final SceneOptions options;
  private final long seed;

  public SceneGenerator(SceneOptions options, long seed) {
    this.options = options;
    this.seed = seed;
  }

  public SceneOptions options() {
    return options;
  }

  /** The layout of sample {@code index} (what {@link #sample} renders). */
  public Scene scene(long index) {
    return SceneLayout.place(stream(index, 1), options);
  }

  @Override
  public Sample sample(long index) {
    if (index < 0) {
      throw new IllegalArgumentException("sample index must be >= 0, got " + index);
    }
    Scene scene = scene(index);
    SceneRenderer.Raster raster = SceneRenderer.render(scene, options.noise(), stream(index, 2));
    Map<String, String> captions = new LinkedHashMap<>();
    captions.put(Sample.ALT, SceneCaptions.alt(scene, options, stream(index, 3)));
    captions.put(Sample.QUALITY, SceneCaptions.quality(scene));
    return new Sample(key(index), raster.image(), Map.copyOf(captions), annotations(scene, options.depthScale()),
        raster.classMap(), scaled(raster.depthMetres(), options.depthScale()));
  }

  /** The depth map times {@code scale}; the sky's 0 (no depth) stays 0. */
  private static float[] scaled(float[] depthMetres, double scale) {
    if (scale != 1.0) {
      for (int i = 0; i < depthMetres.length; i++) {
        depthMetres[i] = (float) (depthMetres[i] * scale);
      }
    }
    return depthMetres;
  }

  /** The sample key of an index: zero-padded, so keys sort like indices. */
  public static String key(long index) {
    return String.format(Locale.ROOT, "%09d", index);
  }

  @Override
  public List<String> classNames() {
    return CLASS_NAMES;
  }

  /** The class id of a shape in the class map. */
  public static int classId(Shape shape) {
    return SceneRenderer.classOf(shape);
  }

  static List<ObjectAnnotation> annotations(Scene scene, double depthScale) {
    double n = scene.size();
    List<ObjectAnnotation> out = new ArrayList<>();
    for (PlacedObject o : scene.objects()) {
      out.add(new ObjectAnnotation(
          o.shape().word(),
          o.colour().word(),
          (float) clamp(o.left() / n),
          (float) clamp(o.top() / n),
          (float) clamp(o.right() / n),
          (float) clamp(o.baseY() / n),
          (float) (o.depthMetres() * depthScale)));
    }
    return List.copyOf(out);
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }

  /** Independent random streams per (seed, index, purpose): layout, pixels and captions. */
  private SplittableRandom stream(long index, int purpose) {
    return new SplittableRandom(mix(mix(seed ^ 0x5DEECE66DL) + index * 0x9E3779B97F4A7C15L + purpose));
  }

  /** SplitMix64's finalizer: decorrelates nearby seeds and indices. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static List<String> classNamesList() {
    List<String> names = new ArrayList<>(List.of("sky", "ground"));
    for (Shape s : Shape.values()) {
      names.add(s.word());
    }
    return List.copyOf(names);
  }
}
