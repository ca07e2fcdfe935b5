package dev.recap.api.data;

import java.util.List;
import java.util.Map;

/**
 * One sample as a {@link SampleSource} produces it.
 *
 * @param key unique within its dataset, safe as a file name (WebDataset key)
 * @param image the RGB image
 * @param captions captions by source, e.g. {@code "alt"} (web alt-text) and {@code "quality"}
 * @param objects annotated objects, possibly empty
 * @param classMap per-pixel class ids, row-major, {@code width * height}; 255 = ignore; null if none
 * @param depthMetres per-pixel depth in metres, row-major; 0 = invalid; null if none
 */
public record Sample(
    String key,
    RgbImage image,
    Map<String, String> captions,
    List<ObjectAnnotation> objects,
    byte[] classMap,
    float[] depthMetres) {

  /** Caption source name of web alt-text style captions. */
  public static final String ALT = "alt";

  /** Caption source name of well-aligned, dense captions. */
  public static final String QUALITY = "quality";
}
