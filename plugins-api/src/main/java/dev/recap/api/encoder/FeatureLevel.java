package dev.recap.api.encoder;

/**
 * One dense feature map an image tower produces: {@code channels} channels at {@code 1/stride}
 * of the input resolution.
 */
public record FeatureLevel(int channels, int stride) {
  public FeatureLevel {
    if (channels <= 0 || stride <= 0) {
      throw new IllegalArgumentException("channels and stride must be positive: " + channels + ", " + stride);
    }
  }
}
