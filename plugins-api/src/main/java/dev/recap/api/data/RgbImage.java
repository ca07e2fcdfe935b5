package dev.recap.api.data;

/**
 * An 8-bit RGB image, row-major, interleaved ({@code rgb[(y * width + x) * 3 + c]}).
 */
public record RgbImage(int width, int height, byte[] rgb) {
  public RgbImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "rgb has " + rgb.length + " bytes, a " + width + "x" + height + " RGB image needs " + width * height * 3);
    }
  }
}
