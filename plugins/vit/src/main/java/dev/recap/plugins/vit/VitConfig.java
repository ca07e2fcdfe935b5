package dev.recap.plugins.vit;

import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.Gelu;
import java.util.Locale;

/**
 * A ViT tower's shape, read from a {@link PluginConfig}.
 *
 * @param patch patch size (the patch convolution's kernel and stride), key {@code patch}
 * @param width token width, key {@code width}
 * @param depth number of residual blocks, key {@code depth}
 * @param heads attention heads, key {@code heads}; must divide {@code width}
 * @param mlpRatio MLP hidden width over {@code width}, key {@code mlpRatio}
 * @param imageSize the square input size the positional embedding is learned for, key
 *     {@code imageSize}; other sizes interpolate it bilinearly
 * @param dense which dense map level 0 is, key {@code dense}
 * @param gelu the MLP's activation, key {@code activation}: {@code gelu} (exact, default) or
 *     {@code quick_gelu} (OpenAI CLIP checkpoints)
 */
record VitConfig(int patch, int width, int depth, int heads, double mlpRatio, int imageSize, DenseMode dense, Gelu gelu) {

  /** What the dense feature map (level 0) holds. */
  enum DenseMode {
    /** The final patch tokens after {@code ln_post}: {@code width} channels. */
    LAST,
    /** The patch tokens of every block, each layer-normalized (no affine), concatenated along
     * channels: {@code width * depth} channels. */
    BLOCKS
  }

  VitConfig {
    positive("patch", patch);
    positive("width", width);
    positive("depth", depth);
    positive("heads", heads);
    positive("imageSize", imageSize);
    if (width % heads != 0) {
      throw new IllegalArgumentException("config key 'heads' (" + heads + ") must divide 'width' (" + width + ")");
    }
    if (imageSize % patch != 0) {
      throw new IllegalArgumentException(
          "config key 'imageSize' (" + imageSize + ") must be a multiple of 'patch' (" + patch + ")");
    }
    if (!(mlpRatio > 0) || mlpHidden(width, mlpRatio) < 1) {
      throw new IllegalArgumentException("config key 'mlpRatio' must be positive, got " + mlpRatio);
    }
  }

  static VitConfig from(PluginConfig c) {
    String dense = c.getString("dense", "last").trim().toLowerCase(Locale.ROOT);
    DenseMode mode;
    switch (dense) {
      case "last" -> mode = DenseMode.LAST;
      case "blocks" -> mode = DenseMode.BLOCKS;
      default -> throw new IllegalArgumentException("config key 'dense' must be 'last' or 'blocks', got '" + dense + "'");
    }
    return new VitConfig(c.getInt("patch", 16), c.getInt("width", 768), c.getInt("depth", 12), c.getInt("heads", 12),
        c.getDouble("mlpRatio", 4.0), c.getInt("imageSize", 224), mode, Gelu.of(c.getString(Gelu.CONFIG_KEY, null)));
  }

  int grid() {
    return imageSize / patch;
  }

  int mlpHidden() {
    return mlpHidden(width, mlpRatio);
  }

  int denseChannels() {
    return dense == DenseMode.BLOCKS ? width * depth : width;
  }

  private static int mlpHidden(int width, double ratio) {
    return (int) (width * ratio);
  }

  private static void positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("config key '" + key + "' must be positive, got " + value);
    }
  }
}
