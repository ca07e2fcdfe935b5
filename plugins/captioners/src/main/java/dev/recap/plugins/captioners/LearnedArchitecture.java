package dev.recap.plugins.captioners;

import static dev.recap.plugins.captioners.ConfigLimits.atLeast;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape of a learned captioner's network, read from its config keys: which image encoder
 * (and the {@code encoder.<k>} keys handed to it), the image side and the decoder's size. It is
 * what a saved state records, so that the parameters it holds fit the network built again.
 *
 * @param encoderKeys the {@code encoder.<k>} keys without their prefix, in config order
 */
record LearnedArchitecture(String encoderId, Map<String, Object> encoderKeys, int imageSize, int width, int layers, int heads,
    int maxLength) {

  private static final String ENCODER_PREFIX = "encoder.";

  /** Reads and checks the architecture keys; an error names the key. */
  static LearnedArchitecture from(PluginConfig config) {
    String encoderId = config.requireString("encoder");
    int imageSize = atLeast(config, "imageSize", 64, 8);
    int width = atLeast(config, "width", 64, 4);
    int layers = atLeast(config, "layers", 2, 1);
    int heads = atLeast(config, "heads", 4, 1);
    int maxLength = atLeast(config, "maxLength", 16, 3);
    Map<String, Object> encoderKeys = new LinkedHashMap<>();
    config.asMap().forEach((k, v) -> {
      if (k.startsWith(ENCODER_PREFIX)) {
        encoderKeys.put(k.substring(ENCODER_PREFIX.length()), v);
      }
    });
    return new LearnedArchitecture(encoderId, encoderKeys, imageSize, width, layers, heads, maxLength);
  }

  /** Tokens the decoder reads per caption during training: every token but the last. */
  int inputLength() {
    return maxLength - 1;
  }

  /**
   * A new, uninitialized network on the encoder plugin's tower.
   *
   * @throws IllegalArgumentException naming the encoder if it is unknown or its tower does not fit
   *     the image side
   */
  ImageCaptionModel build(Extensions extensions, int vocabularySize) {
    ImageEncoder encoder = extensions.get(ImageEncoder.class, encoderId);
    ImageTower tower = encoder.build(encoder.resolve(PluginConfig.of(encoderKeys)));
    int stride = tower.primaryLevel().stride();
    if (imageSize % tower.inputMultiple() != 0 || imageSize % stride != 0) {
      throw new IllegalArgumentException("config key 'imageSize' (" + imageSize + ") must be a multiple of encoder '" + encoderId
          + "' input multiple " + tower.inputMultiple() + " and stride " + stride);
    }
    int cells = (imageSize / stride) * (imageSize / stride);
    return new ImageCaptionModel(tower.block(), new CaptionDecoder(width, layers, heads, vocabularySize, cells, maxLength));
  }

  /** The config keys a saved state records, as text, sorted by key. */
  Map<String, String> asProperties() {
    Map<String, String> out = new TreeMap<>();
    out.put("encoder", encoderId);
    encoderKeys.forEach((k, v) -> {
      if (v != null) {
        out.put(ENCODER_PREFIX + k, String.valueOf(v));
      }
    });
    out.put("imageSize", String.valueOf(imageSize));
    out.put("width", String.valueOf(width));
    out.put("layers", String.valueOf(layers));
    out.put("heads", String.valueOf(heads));
    out.put("maxLength", String.valueOf(maxLength));
    return out;
  }
}
