package dev.recap.plugins.synthscenes;

/**
 * One object of a scene: a flat, camera-facing shape standing on the ground plane.
 *
 * @param shape its shape class
 * @param colour its colour
 * @param size its physical size class
 * @param centreX horizontal centre of its box, in pixels
 * @param baseY the row (in pixels, continuous) where it touches the ground
 * @param sizePx edge of its square box in pixels ({@code size.metres * focal / depth})
 * @param depthMetres its distance, quantized to millimetres like every depth of the scene
 */
public record PlacedObject(
    Shape shape, Colour colour, SizeClass size, double centreX, double baseY, double sizePx, float depthMetres) {

  /** Whether the pixel centre (px, py) lies on the object. */
  public boolean covers(double px, double py) {
    double half = sizePx / 2;
    double u = (px - centreX) / half;
    double v = (py - (baseY - half)) / half;
    return shape.contains(u, v);
  }

  public double left() {
    return centreX - sizePx / 2;
  }

  public double right() {
    return centreX + sizePx / 2;
  }

  public double top() {
    return baseY - sizePx;
  }

  /** "red circle": how captions refer to it (colour and shape are unique within a scene). */
  public String name() {
    return colour.word() + " " + shape.word();
  }
}
