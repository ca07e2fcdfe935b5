package dev.recap.plugins.synthscenes;

import dev.recap.api.PluginConfig;

/**
 * The generator's parameters, read from a {@link PluginConfig}.
 *
 * @param size image edge in pixels ({@code size}, default 64)
 * @param minObjects fewest objects per scene ({@code minObjects}, default 1)
 * @param maxObjects most objects per scene ({@code maxObjects}, default 4)
 * @param altUnrelated weight of unrelated alt-texts: file names, shop phrases ({@code altUnrelated}, default 0.4)
 * @param altPartial weight of partial or wrong mentions ({@code altPartial}, default 0.35)
 * @param altCorrect weight of short correct alt-texts ({@code altCorrect}, default 0.25)
 * @param noise per-channel pixel noise amplitude in 8-bit levels ({@code noise}, default 6)
 * @param depthScale factor on every depth the samples carry, the depth maps and the objects'
 *     annotations ({@code depthScale}, default 1); images and captions do not change, so
 *     {@code 0.125} puts the scenes' 80 m inside NYUv2's 10 m evaluation range
 */
public record SceneOptions(
    int size, int minObjects, int maxObjects, double altUnrelated, double altPartial, double altCorrect, int noise,
    double depthScale) {

  public SceneOptions {
    if (size < 16 || size > 4096) {
      throw new IllegalArgumentException("config key 'size' must be in [16, 4096], got " + size);
    }
    if (minObjects < 1 || maxObjects < minObjects || maxObjects > Shape.values().length) {
      throw new IllegalArgumentException(
          "config keys 'minObjects'/'maxObjects' must satisfy 1 <= minObjects <= maxObjects <= "
              + Shape.values().length + ", got " + minObjects + "/" + maxObjects);
    }
    if (altUnrelated < 0 || altPartial < 0 || altCorrect < 0 || altUnrelated + altPartial + altCorrect <= 0) {
      throw new IllegalArgumentException(
          "config keys 'altUnrelated', 'altPartial', 'altCorrect' must be >= 0 with a positive sum, got "
              + altUnrelated + ", " + altPartial + ", " + altCorrect);
    }
    if (noise < 0 || noise > 64) {
      throw new IllegalArgumentException("config key 'noise' must be in [0, 64], got " + noise);
    }
    if (!(depthScale >= 1e-3 && depthScale <= 1e3)) {
      throw new IllegalArgumentException("config key 'depthScale' must be in [0.001, 1000], got " + depthScale);
    }
  }

  /** Reads the options; absent keys take their defaults. */
  public static SceneOptions from(PluginConfig config) {
    return new SceneOptions(
        config.getInt("size", 64),
        config.getInt("minObjects", 1),
        config.getInt("maxObjects", 4),
        config.getDouble("altUnrelated", 0.4),
        config.getDouble("altPartial", 0.35),
        config.getDouble("altCorrect", 0.25),
        config.getInt("noise", 6),
        config.getDouble("depthScale", 1.0));
  }
}
