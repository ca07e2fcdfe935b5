package dev.recap.plugins.synthscenes;

import dev.recap.api.data.RgbImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders a {@link Scene} to an RGB image, a class map and a depth map, pixel by pixel from the
 * same geometry, so the three agree exactly. Appearance cues a network can learn depth from: a
 * ground checkerboard of 1 m tiles (texture gradient), haze that grows with distance, objects
 * standing on the ground and shrinking with depth.
 */
final class SceneRenderer {

  static final int SKY = 0;
  static final int GROUND = 1;

  private static final double HAZE_METRES = 60.0;

  /** The rendered rasters of one scene. */
  record Raster(RgbImage image, byte[] classMap, float[] depthMetres) {}

  private SceneRenderer() {}

  static int classOf(Shape shape) {
    return 2 + shape.ordinal();
  }

  static Raster render(Scene scene, int noise, SplittableRandom rnd) {
    int n = scene.size();
    double f = SceneLayout.focal(n);
    double horizon = scene.horizonY();
    List<PlacedObject> objects = scene.objects();
    byte[] rgb = new byte[n * n * 3];
    byte[] cls = new byte[n * n];
    float[] depth = new float[n * n];
    double[] c = new double[3];
    for (int y = 0; y < n; y++) {
      double py = y + 0.5;
      for (int x = 0; x < n; x++) {
        double px = x + 0.5;
        int p = y * n + x;
        PlacedObject top = null;
        for (int i = objects.size() - 1; i >= 0; i--) { // near to far: the first hit is in front
          if (objects.get(i).covers(px, py)) {
            top = objects.get(i);
            break;
          }
        }
        double d;
        if (top != null) {
          d = top.depthMetres();
          cls[p] = (byte) classOf(top.shape());
          depth[p] = top.depthMetres();
          // lit from above: the top of an object is brighter than its base
          double shade = 1.1 - 0.25 * (py - top.top()) / top.sizePx();
          c[0] = top.colour().r * shade;
          c[1] = top.colour().g * shade;
          c[2] = top.colour().b * shade;
        } else if (py < horizon) {
          d = SceneLayout.MAX_DEPTH;
          cls[p] = SKY;
          depth[p] = 0f; // no valid depth for the sky, as with real sensors
          double t = py / horizon;
          c[0] = 80 + 120 * t;
          c[1] = 130 + 90 * t;
          c[2] = 210 + 30 * t;
        } else {
          d = SceneLayout.groundDepth(n, horizon, py);
          cls[p] = GROUND;
          depth[p] = (float) d;
          double worldX = (px - n / 2.0) * d / f;
          boolean light = ((long) Math.floor(worldX) + (long) Math.floor(d)) % 2 == 0;
          double tile = light ? 1.1 : 0.9;
          c[0] = 125 * tile;
          c[1] = 110 * tile;
          c[2] = 85 * tile;
        }
        double haze = 1 - Math.exp(-d / HAZE_METRES);
        int[] hazeRgb = {200, 212, 228};
        for (int k = 0; k < 3; k++) {
          double v = c[k] * (1 - haze) + hazeRgb[k] * haze;
          if (noise > 0) {
            v += rnd.nextInt(2 * noise + 1) - noise;
          }
          rgb[p * 3 + k] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
        }
      }
    }
    return new Raster(new RgbImage(n, n, rgb), cls, depth);
  }
}
