package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's charts: one loss-curve chart over every loss.csv, and one bar chart per setting and
 * metric (mean over seeds, error bar = sample std). The same data feeds the PNGs and the html.
 */
public record ReportCharts(Map<String, byte[]> pngs, String lossFile, List<LossCurve> curves, List<BarChart> barCharts) {

  /** One bar chart: its PNG name, title, and bars (one per run). */
  public record BarChart(String file, String title, String metric, List<ChartPainter.Bar> bars) {}

  public static ReportCharts draw(ReportBuilder.Contents contents) {
    Map<String, byte[]> pngs = new LinkedHashMap<>();
    String lossFile = null;
    if (!contents.curves().isEmpty()) {
      lossFile = "chart-loss.png";
      List<ChartPainter.Series> series = contents.curves().stream()
          .map(c -> new ChartPainter.Series(c.label(), c.steps(), c.losses())).toList();
      pngs.put(lossFile, ChartPainter.lines("Pretraining loss", "step", "loss", series));
    }
    List<BarChart> bars = new ArrayList<>();
    ExperimentResults results = contents.results();
    for (ExperimentResults.Setting setting : results.settings()) {
      if (setting.protocol().equals("pretrain")) {
        continue;
      }
      for (String metric : results.metrics(setting)) {
        List<ChartPainter.Bar> list = new ArrayList<>();
        for (ExperimentResults.RunInfo run : results.runs()) {
          Optional<Summary> s = results.summary(run.run(), setting, metric);
          s.ifPresent(v -> list.add(new ChartPainter.Bar(run.run(), v.mean(), v.std())));
        }
        String file = ("chart-" + setting.protocol() + "-" + Math.round(setting.fraction() * 100) + "-" + metric + ".png")
            .replaceAll("[^A-Za-z0-9._-]", "_");
        String title = metric + " (" + setting.label() + ", " + (ExperimentResults.higherIsBetter(metric) ? "higher" : "lower")
            + " is better; bars: mean over seeds)";
        pngs.put(file, ChartPainter.bars(metric + ", " + setting.label() + " (" + (ExperimentResults.higherIsBetter(metric)
            ? "higher" : "lower") + " is better; whiskers ±1 sample std)", metric, list));
        bars.add(new BarChart(file, title, metric, List.copyOf(list)));
      }
    }
    return new ReportCharts(pngs, lossFile, contents.curves(), List.copyOf(bars));
  }
}
