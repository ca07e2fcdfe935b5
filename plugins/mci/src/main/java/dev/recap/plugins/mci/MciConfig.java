package dev.recap.plugins.mci;

import dev.recap.api.PluginConfig;
import java.util.Arrays;
import java.util.List;

/**
 * An MCi tower's shape, read from a {@link PluginConfig}.
 *
 * @param layers blocks per stage, key {@code layers} (4 entries: a list or "2,6,10,2")
 * @param dims channels per stage, key {@code dims} (4 entries)
 * @param mlpRatio ConvFFN hidden width over the stage width, key {@code mlpRatio}
 * @param headDim attention head width in stage 4, key {@code headDim}; must divide dims[3]
 * @param projectionDim width of MobileCLIP's {@code GlobalPool2D} projection after pooling, key
 *     {@code projectionDim}; 0 (default) leaves it to the CLIP model, pooled is then 2 x dims[3]
 * @param layerScaleInit initial layer-scale value, key {@code layerScaleInit}
 * @param reparameterized build the inference structure (fused convolutions), key
 *     {@code reparameterized}
 * @param dense which map is the primary dense level (level 0), key {@code dense}
 */
record MciConfig(int[] layers, int[] dims, double mlpRatio, int headDim, int projectionDim, float layerScaleInit,
    boolean reparameterized, DenseMode dense) {

  static final int STAGES = 4;

  /** What the primary dense map (level 0) is; neither changes the parameters. */
  enum DenseMode {
    /** Stage 3 at stride 16 ({@code dims[2]} channels), the default. */
    STAGE3("stage3"),
    /**
     * Stride 8: the stage-2 map concatenated with the stage-3 map upsampled bilinearly to its
     * grid ({@code dims[1] + dims[2]} channels), so a probe reads stage 3's features at the
     * resolution a patch-8 ViT has.
     */
    STRIDE8("stride8");

    final String key;

    DenseMode(String key) {
      this.key = key;
    }

    static DenseMode of(String value) {
      for (DenseMode m : values()) {
        if (m.key.equalsIgnoreCase(value.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException("config key 'dense' must be 'stage3' or 'stride8', got '" + value + "'");
    }
  }

  MciConfig {
    for (int i = 0; i < STAGES; i++) {
      if (layers[i] <= 0) {
        throw new IllegalArgumentException("config key 'layers' needs positive entries, got " + Arrays.toString(layers));
      }
      if (dims[i] <= 0) {
        throw new IllegalArgumentException("config key 'dims' needs positive entries, got " + Arrays.toString(dims));
      }
    }
    for (int i = 1; i < STAGES; i++) {
      if (dims[i] % dims[i - 1] != 0) {
        throw new IllegalArgumentException("config key 'dims': each entry must be a multiple of the one before (the"
            + " downsampling convolution is grouped by its input channels), got " + Arrays.toString(dims));
      }
    }
    if (headDim <= 0 || dims[3] % headDim != 0) {
      throw new IllegalArgumentException(
          "config key 'headDim' (" + headDim + ") must be positive and divide the last of 'dims' (" + dims[3] + ")");
    }
    if (!(mlpRatio > 0)) {
      throw new IllegalArgumentException("config key 'mlpRatio' must be positive, got " + mlpRatio);
    }
    if (projectionDim < 0) {
      throw new IllegalArgumentException("config key 'projectionDim' must be 0 (none) or positive, got " + projectionDim);
    }
  }

  static MciConfig from(PluginConfig c) {
    return new MciConfig(ints(c, "layers", new int[] {2, 6, 10, 2}), ints(c, "dims", new int[] {64, 128, 256, 512}),
        c.getDouble("mlpRatio", 3.0), c.getInt("headDim", 32), c.getInt("projectionDim", 0),
        (float) c.getDouble("layerScaleInit", 1e-5), c.getBoolean("reparameterized", false),
        DenseMode.of(c.getString("dense", DenseMode.STAGE3.key)));
  }

  int hidden(int stage) {
    return (int) (dims[stage] * mlpRatio);
  }

  /** Width of {@code conv_exp}'s output, pooled for the embedding. */
  int expandedWidth() {
    return 2 * dims[3];
  }

  int embeddingDim() {
    return projectionDim > 0 ? projectionDim : expandedWidth();
  }

  private static int[] ints(PluginConfig c, String key, int[] defaults) {
    Object v = c.asMap().get(key);
    if (v == null) {
      return defaults;
    }
    List<?> items;
    if (v instanceof List<?> list) {
      items = list;
    } else if (v instanceof int[] array) {
      items = Arrays.stream(array).boxed().toList();
    } else if (v instanceof String s) {
      items = Arrays.stream(s.split(",")).map(String::trim).toList();
    } else {
      throw new IllegalArgumentException("config key '" + key + "' must be a list of " + STAGES + " whole numbers, got " + v);
    }
    if (items.size() != STAGES) {
      throw new IllegalArgumentException("config key '" + key + "' must have " + STAGES + " entries (one per stage), got " + v);
    }
    int[] out = new int[STAGES];
    for (int i = 0; i < STAGES; i++) {
      out[i] = PluginConfig.of(key, items.get(i)).getInt(key, 0);
    }
    return out;
  }
}
