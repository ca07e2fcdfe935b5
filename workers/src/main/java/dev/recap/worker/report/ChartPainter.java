package dev.recap.worker.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/** Line and bar charts as PNG bytes, drawn with Java2D (headless): axes, ticks, labels, legend. */
public final class ChartPainter {

  /** A named line: x and y values of equal length. */
  public record Series(String name, List<Double> x, List<Double> y) {}

  /** One bar: label, height and an error half-width (NaN: none). */
  public record Bar(String label, double value, double error) {}

  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
      new Color(0x17becf)};

  private static final int WIDTH = 760;
  private static final int HEIGHT = 420;
  private static final int LEFT = 80;
  private static final int RIGHT = 200;
  private static final int TOP = 40;
  private static final int BOTTOM = 70;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private ChartPainter() {}

  /** Hex colour of series i, shared with the html charts so both read alike. */
  public static String hex(int i) {
    return String.format("#%06x", PALETTE[i % PALETTE.length].getRGB() & 0xffffff);
  }

  public static byte[] lines(String title, String xLabel, String yLabel, List<Series> series) {
    double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().size(); i++) {
        minX = Math.min(minX, s.x().get(i));
        maxX = Math.max(maxX, s.x().get(i));
        minY = Math.min(minY, s.y().get(i));
        maxY = Math.max(maxY, s.y().get(i));
      }
    }
    double[] xr = range(minX, maxX, minX >= 0);
    double[] yr = range(minY, maxY, false);
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame(img, title, xLabel, yLabel, xr, yr, true);
    int pw = WIDTH - LEFT - RIGHT;
    int ph = HEIGHT - TOP - BOTTOM;
    g.setStroke(new BasicStroke(1.8f));
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      Path2D.Double path = new Path2D.Double();
      for (int i = 0; i < s.x().size(); i++) {
        double px = LEFT + (s.x().get(i) - xr[0]) / (xr[1] - xr[0]) * pw;
        double py = TOP + ph - (s.y().get(i) - yr[0]) / (yr[1] - yr[0]) * ph;
        if (i == 0) {
          path.moveTo(px, py);
        } else {
          path.lineTo(px, py);
        }
      }
      g.setColor(PALETTE[k % PALETTE.length]);
      g.draw(path);
    }
    legend(g, series.stream().map(Series::name).toList());
    return png(img, g);
  }

  public static byte[] bars(String title, String yLabel, List<Bar> bars) {
    double minY = 0, maxY = 0;
    for (Bar b : bars) {
      double e = Double.isNaN(b.error()) ? 0 : b.error();
      minY = Math.min(minY, b.value() - e);
      maxY = Math.max(maxY, b.value() + e);
    }
    double[] yr = range(minY, maxY, true);
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame(img, title, "", yLabel, null, yr, false);
    int pw = WIDTH - LEFT - RIGHT;
    int ph = HEIGHT - TOP - BOTTOM;
    double slot = (double) pw / Math.max(1, bars.size());
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double x0 = LEFT + i * slot + slot * 0.15;
      double w = slot * 0.7;
      double y0 = TOP + ph - (0 - yr[0]) / (yr[1] - yr[0]) * ph;
      double y1 = TOP + ph - (b.value() - yr[0]) / (yr[1] - yr[0]) * ph;
      g.setColor(PALETTE[i % PALETTE.length]);
      g.fillRect((int) x0, (int) Math.min(y0, y1), (int) w, (int) Math.max(1, Math.abs(y1 - y0)));
      if (!Double.isNaN(b.error())) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        double xc = x0 + w / 2;
        double ylo = TOP + ph - (b.value() - b.error() - yr[0]) / (yr[1] - yr[0]) * ph;
        double yhi = TOP + ph - (b.value() + b.error() - yr[0]) / (yr[1] - yr[0]) * ph;
        g.drawLine((int) xc, (int) ylo, (int) xc, (int) yhi);
        g.drawLine((int) xc - 5, (int) ylo, (int) xc + 5, (int) ylo);
        g.drawLine((int) xc - 5, (int) yhi, (int) xc + 5, (int) yhi);
      }
      // category label under the bar, rotated so long run names fit
      g.setColor(Color.DARK_GRAY);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      AffineTransform saved = g.getTransform();
      g.rotate(-Math.PI / 8, x0 + w / 2, TOP + ph + 20);
      String label = b.label();
      g.drawString(label, (int) (x0 + w / 2 - g.getFontMetrics().stringWidth(label) / 2.0), TOP + ph + 22);
      g.setTransform(saved);
    }
    legend(g, bars.stream().map(b -> b.label() + " " + Numbers.format(b.value())).toList());
    return png(img, g);
  }

  /**
   * Axis bounds {min, max, step} on a 1-2-5 grid covering the data, so ticks are round numbers; a
   * flat range is widened so the axis still has ticks.
   */
  static double[] range(double min, double max, boolean fromZero) {
    if (!Double.isFinite(min) || !Double.isFinite(max)) {
      return new double[] {0, 1, 0.2};
    }
    if (fromZero) {
      min = Math.min(0, min);
      max = Math.max(0, max);
    }
    if (max - min < 1e-12) {
      double pad = Math.max(Math.abs(max) * 0.1, 1e-3);
      min -= pad;
      max += pad;
    }
    double raw = (max - min) / 5;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / magnitude <= 1 ? magnitude : raw / magnitude <= 2 ? 2 * magnitude
        : raw / magnitude <= 5 ? 5 * magnitude : 10 * magnitude;
    return new double[] {Math.floor(min / step) * step, Math.ceil(max / step) * step, step};
  }

  /** A tick label with as many decimals as the step needs. */
  static String tick(double v, double step) {
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    return String.format(java.util.Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step * 1e-6 ? 0.0 : v);
  }

  private static Graphics2D frame(BufferedImage img, String title, String xLabel, String yLabel, double[] xr,
      double[] yr, boolean xTicks) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    int pw = WIDTH - LEFT - RIGHT;
    int ph = HEIGHT - TOP - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, TOP - 15);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    for (double v = yr[0]; v <= yr[1] + yr[2] * 1e-6; v += yr[2]) {
      int y = (int) Math.round(TOP + ph - (v - yr[0]) / (yr[1] - yr[0]) * ph);
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(LEFT, y, LEFT + pw, y);
      g.setColor(Color.DARK_GRAY);
      String t = tick(v, yr[2]);
      g.drawString(t, LEFT - 6 - fm.stringWidth(t), y + 4);
    }
    if (xTicks) {
      for (double v = xr[0]; v <= xr[1] + xr[2] * 1e-6; v += xr[2]) {
        int x = (int) Math.round(LEFT + (v - xr[0]) / (xr[1] - xr[0]) * pw);
        g.setColor(Color.DARK_GRAY);
        g.drawLine(x, TOP + ph, x, TOP + ph + 4);
        String t = tick(v, xr[2]);
        g.drawString(t, x - fm.stringWidth(t) / 2, TOP + ph + 17);
      }
    }
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1.2f));
    g.drawLine(LEFT, TOP, LEFT, TOP + ph);
    g.drawLine(LEFT, TOP + ph, LEFT + pw, TOP + ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    fm = g.getFontMetrics();
    g.drawString(xLabel, LEFT + pw / 2 - fm.stringWidth(xLabel) / 2, HEIGHT - 22);
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(TOP + ph / 2) - fm.stringWidth(yLabel) / 2, 22);
    g.setTransform(saved);
    return g;
  }

  private static void legend(Graphics2D g, List<String> names) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    int x = WIDTH - RIGHT + 14;
    int y = TOP + 6;
    for (int i = 0; i < names.size() && y < HEIGHT - 20; i++, y += 17) {
      g.setColor(PALETTE[i % PALETTE.length]);
      g.fillRect(x, y - 9, 14, 10);
      g.setColor(Color.BLACK);
      String name = names.get(i);
      g.drawString(name.length() > 28 ? name.substring(0, 27) + "…" : name, x + 20, y);
    }
  }

  private static byte[] png(BufferedImage img, Graphics2D g) {
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
