package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line and bar charts as standalone SVG documents: axes with round ticks, labels, a legend, and
 * error whiskers on bars. One chart implementation for both report files: report.md links the
 * {@code .svg} files (GitHub and most markdown viewers show them as images) and report.html
 * inlines the same markup, so the report needs no script and no bundled chart library.
 */
public final class SvgChart {

  /**
   * A named line: x and y values of equal length, its palette colour, and whether it is a thin
   * line (one seed drawn around its run's mean: faint, and not in the legend).
   */
  public record Series(String name, List<Double> x, List<Double> y, int colour, boolean thin) {

    /** A full line in palette colour {@code colour}. */
    public Series(String name, List<Double> x, List<Double> y, int colour) {
      this(name, x, y, colour, false);
    }
  }

  /** One bar: label, height, an error half-width (NaN: none) and its palette colour. */
  public record Bar(String label, double value, double error, int colour) {}

  private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

  static final int WIDTH = 760;
  static final int HEIGHT = 420;
  private static final int LEFT = 80;
  private static final int RIGHT = 200;
  private static final int TOP = 40;
  private static final int BOTTOM = 80;
  private static final int PW = WIDTH - LEFT - RIGHT;
  private static final int PH = HEIGHT - TOP - BOTTOM;

  private SvgChart() {}

  /** Hex colour of series i. */
  public static String hex(int i) {
    return PALETTE[i % PALETTE.length];
  }

  /** A line chart; series with fewer than one point are listed in the legend only. */
  public static String lines(String title, String xLabel, String yLabel, List<Series> series) {
    double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().size(); i++) {
        if (Double.isFinite(s.x().get(i)) && Double.isFinite(s.y().get(i))) {
          minX = Math.min(minX, s.x().get(i));
          maxX = Math.max(maxX, s.x().get(i));
          minY = Math.min(minY, s.y().get(i));
          maxY = Math.max(maxY, s.y().get(i));
        }
      }
    }
    double[] xr = range(minX, maxX, minX >= 0);
    double[] yr = range(minY, maxY, false);
    StringBuilder svg = frame(title, xLabel, yLabel, xr, yr);
    List<String> names = new ArrayList<>();
    List<Integer> colours = new ArrayList<>();
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      int n = 0;
      for (int i = 0; i < s.x().size(); i++) {
        if (Double.isFinite(s.x().get(i)) && Double.isFinite(s.y().get(i))) {
          points.append(f(px(s.x().get(i), xr))).append(',').append(f(py(s.y().get(i), yr))).append(' ');
          n++;
        }
      }
      svg.append("<polyline class=\"").append(s.thin() ? "seed" : "series").append("\" fill=\"none\" stroke=\"")
          .append(hex(s.colour())).append(s.thin() ? "\" stroke-opacity=\"0.35\" stroke-width=\"0.9" : "\" stroke-width=\"1.8")
          .append("\" points=\"").append(points.toString().trim()).append("\"><title>").append(HtmlReport.esc(s.name()))
          .append("</title></polyline>\n");
      if (!s.thin() && n <= 12) {
        for (String p : points.toString().trim().split(" ")) {
          if (!p.isEmpty()) {
            String[] xy = p.split(",");
            svg.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"3\" fill=\"")
                .append(hex(s.colour())).append("\"/>\n");
          }
        }
      }
      if (!s.thin()) {
        names.add(s.name());
        colours.add(s.colour());
      }
    }
    legend(svg, names, colours);
    return svg.append("</svg>\n").toString();
  }

  /** A bar chart with whiskers of ±error where the error is a number. */
  public static String bars(String title, String yLabel, List<Bar> bars) {
    double minY = 0, maxY = 0;
    for (Bar b : bars) {
      double e = Double.isNaN(b.error()) ? 0 : b.error();
      minY = Math.min(minY, b.value() - e);
      maxY = Math.max(maxY, b.value() + e);
    }
    double[] yr = range(minY, maxY, true);
    StringBuilder svg = frame(title, "", yLabel, null, yr);
    double slot = (double) PW / Math.max(1, bars.size());
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double x0 = LEFT + i * slot + slot * 0.15;
      double w = slot * 0.7;
      double y0 = py(0, yr);
      double y1 = py(b.value(), yr);
      svg.append("<rect class=\"bar\" x=\"").append(f(x0)).append("\" y=\"").append(f(Math.min(y0, y1)))
          .append("\" width=\"").append(f(w)).append("\" height=\"").append(f(Math.max(1, Math.abs(y1 - y0))))
          .append("\" fill=\"").append(hex(b.colour())).append("\"><title>").append(HtmlReport.esc(b.label())).append(": ")
          .append(Numbers.format(b.value())).append(Double.isNaN(b.error()) ? "" : " ± " + Numbers.format(b.error()))
          .append("</title></rect>\n");
      if (!Double.isNaN(b.error())) {
        double xc = x0 + w / 2;
        double lo = py(b.value() - b.error(), yr);
        double hi = py(b.value() + b.error(), yr);
        svg.append("<path class=\"whisker\" stroke=\"#000\" stroke-width=\"1.2\" fill=\"none\" d=\"M").append(f(xc))
            .append(' ').append(f(lo)).append("V").append(f(hi)).append("M").append(f(xc - 5)).append(' ').append(f(lo))
            .append("h10M").append(f(xc - 5)).append(' ').append(f(hi)).append("h10\"/>\n");
      }
      double ly = TOP + PH + 18;
      svg.append("<text x=\"").append(f(x0 + w / 2)).append("\" y=\"").append(f(ly))
          .append("\" font-size=\"11\" fill=\"#444\" text-anchor=\"end\" transform=\"rotate(-20 ").append(f(x0 + w / 2))
          .append(' ').append(f(ly)).append(")\">").append(HtmlReport.esc(b.label())).append("</text>\n");
    }
    legend(svg, bars.stream().map(b -> b.label() + " " + Numbers.format(b.value())
        + (Double.isNaN(b.error()) ? "" : " ± " + Numbers.format(b.error()))).toList(),
        bars.stream().map(Bar::colour).toList());
    return svg.append("</svg>\n").toString();
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
    return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step * 1e-6 ? 0.0 : v);
  }

  private static StringBuilder frame(String title, String xLabel, String yLabel, double[] xr, double[] yr) {
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" font-family=\"sans-serif\" role=\"img\" aria-label=\"").append(HtmlReport.esc(title)).append("\">\n")
        .append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n")
        .append("<text x=\"").append(LEFT).append("\" y=\"").append(TOP - 15)
        .append("\" font-size=\"15\" font-weight=\"bold\">").append(HtmlReport.esc(title)).append("</text>\n");
    for (double v = yr[0]; v <= yr[1] + yr[2] * 1e-6; v += yr[2]) {
      double y = py(v, yr);
      svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PW).append("\" y1=\"").append(f(y))
          .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e6e6e6\"/>")
          .append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
          .append("\" font-size=\"11\" fill=\"#444\" text-anchor=\"end\">").append(tick(v, yr[2])).append("</text>\n");
    }
    if (xr != null) {
      for (double v = xr[0]; v <= xr[1] + xr[2] * 1e-6; v += xr[2]) {
        double x = px(v, xr);
        svg.append("<line x1=\"").append(f(x)).append("\" x2=\"").append(f(x)).append("\" y1=\"").append(TOP + PH)
            .append("\" y2=\"").append(TOP + PH + 4).append("\" stroke=\"#444\"/>")
            .append("<text x=\"").append(f(x)).append("\" y=\"").append(TOP + PH + 17)
            .append("\" font-size=\"11\" fill=\"#444\" text-anchor=\"middle\">").append(tick(v, xr[2])).append("</text>\n");
      }
    }
    svg.append("<path d=\"M").append(LEFT).append(' ').append(TOP).append("V").append(TOP + PH).append("H")
        .append(LEFT + PW).append("\" stroke=\"#000\" stroke-width=\"1.2\" fill=\"none\"/>\n")
        .append("<text x=\"").append(LEFT + PW / 2).append("\" y=\"").append(HEIGHT - 12)
        .append("\" font-size=\"13\" text-anchor=\"middle\">").append(HtmlReport.esc(xLabel)).append("</text>\n")
        .append("<text x=\"22\" y=\"").append(TOP + PH / 2).append("\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 22 ")
        .append(TOP + PH / 2).append(")\">").append(HtmlReport.esc(yLabel)).append("</text>\n");
    return svg;
  }

  private static void legend(StringBuilder svg, List<String> names, List<Integer> colours) {
    int x = WIDTH - RIGHT + 14;
    int y = TOP + 6;
    for (int i = 0; i < names.size() && y < HEIGHT - 20; i++, y += 17) {
      String name = names.get(i);
      svg.append("<rect x=\"").append(x).append("\" y=\"").append(y - 9).append("\" width=\"14\" height=\"10\" fill=\"")
          .append(hex(colours.get(i))).append("\"/><text x=\"").append(x + 20).append("\" y=\"").append(y)
          .append("\" font-size=\"11\">").append(HtmlReport.esc(name.length() > 30 ? name.substring(0, 29) + "…" : name))
          .append("</text>\n");
    }
  }

  private static double px(double v, double[] xr) {
    return LEFT + (v - xr[0]) / (xr[1] - xr[0]) * PW;
  }

  private static double py(double v, double[] yr) {
    return TOP + PH - (v - yr[0]) / (yr[1] - yr[0]) * PH;
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
