package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The report's charts as SVG files. Training curves per quantity and objective on their own axes
 * (a CLIP loss and an MAE reconstruction loss never share one; logit scale and learning rate
 * apart), each run's seeds as thin lines around their mean; bars with ±1 sample-std whiskers for
 * the headline metrics; the headline metrics against the fraction of dense training data (the
 * data-efficiency claim as a line per run); and bars for every other metric. A run keeps its
 * colour in every chart. report.md links the files, report.html inlines them.
 */
public record ReportCharts(Map<String, String> svgs, List<Chart> training, List<Chart> headline, List<Chart> fractions,
    List<Chart> alongTraining, List<Chart> other) {

  /** One chart: its file name and title. */
  public record Chart(String file, String title) {}

  /** The charts of a report whose headline table is {@code table} (its columns get the bar charts). */
  public static ReportCharts draw(ReportBuilder.Contents contents, HeadlineTable table) {
    Map<String, String> svgs = new LinkedHashMap<>();
    ExperimentResults results = contents.results();
    Map<String, Integer> colour = new LinkedHashMap<>();
    results.runs().forEach(r -> colour.put(r.run(), colour.size()));
    contents.curves().forEach(c -> colour.putIfAbsent(c.run().isEmpty() ? c.label() : c.run(), colour.size()));

    List<Chart> training = new ArrayList<>();
    Map<String, List<LossCurve>> byObjective = new LinkedHashMap<>();
    contents.curves().forEach(c -> byObjective.computeIfAbsent(c.objective(), k -> new ArrayList<>()).add(c));
    for (Map.Entry<String, List<LossCurve>> e : byObjective.entrySet()) {
      String objective = e.getKey();
      String tag = objective.isEmpty() ? "" : "-" + objective;
      String name = objective.isEmpty() ? "" : ", " + objective.toUpperCase(Locale.ROOT) + " objective";
      add(svgs, training, safe("chart-loss" + tag + ".svg"), "Pretraining loss" + name, "loss",
          curves(e.getValue(), null, colour));
      for (String column : LossCurve.TRACKED) {
        List<SvgChart.Series> series = curves(e.getValue(), column, colour);
        if (!series.isEmpty()) {
          String what = column.equals("lr") ? "Learning rate" : "Logit scale";
          add(svgs, training, safe("chart-" + column + tag + ".svg"), what + name, column, series);
        }
      }
    }

    List<Chart> headline = new ArrayList<>();
    TreeSet<String> drawn = new TreeSet<>();
    for (HeadlineTable.Column c : table.columns()) {
      ExperimentResults.Setting setting = new ExperimentResults.Setting(c.protocol(), c.fraction());
      String file = barFile(setting, c.metric());
      svgs.put(file, SvgChart.bars(c.heading() + " (whiskers ±1 sample std over seeds)", c.metric(),
          bars(results, setting, c.metric(), colour)));
      headline.add(new Chart(file, c.heading()));
      drawn.add(file);
    }

    List<Chart> fractions = new ArrayList<>();
    for (String protocol : List.of(contents.claimSettings().finetuneProtocol(), contents.claimSettings().probeProtocol())) {
      TreeSet<Double> levels = new TreeSet<>();
      results.settings().stream().filter(s -> s.protocol().equals(protocol)).forEach(s -> levels.add(s.fraction()));
      if (levels.size() < 2) {
        continue;
      }
      for (String metric : List.of("mIoU", "rmse")) {
        List<SvgChart.Series> series = new ArrayList<>();
        for (ExperimentResults.RunInfo run : results.runs()) {
          List<Double> x = new ArrayList<>();
          List<Double> y = new ArrayList<>();
          for (double f : levels) {
            Optional<Summary> s = results.summary(run.run(), protocol, f, metric);
            if (s.isPresent()) {
              x.add(f * 100);
              y.add(s.get().mean());
            }
          }
          if (x.size() >= 2) {
            series.add(new SvgChart.Series(run.run(), x, y, colour.get(run.run())));
          }
        }
        if (!series.isEmpty()) {
          String title = protocol + " " + metric + " vs dense training data ("
              + (ExperimentResults.higherIsBetter(metric) ? "higher" : "lower") + " is better; mean over seeds)";
          add(svgs, fractions, safe("chart-" + protocol + "-" + metric + "-by-fraction.svg"), title, metric, series,
              "% of the dense training data");
        }
      }
    }

    List<Chart> alongTraining = new ArrayList<>();
    LearningCurves learning = results.learningCurves();
    for (LearningCurves.Metric metric : learning.metrics()) {
      List<SvgChart.Series> series = new ArrayList<>();
      for (LearningCurves.Curve curve : learning.curves(metric)) {
        int k = colour.computeIfAbsent(curve.run(), r -> colour.size());
        TreeSet<Long> seeds = new TreeSet<>();
        curve.points().forEach(p -> seeds.addAll(p.bySeed().keySet()));
        if (seeds.size() > 1) {
          for (long seed : seeds) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            curve.points().stream().filter(p -> p.bySeed().containsKey(seed)).forEach(p -> {
              x.add(p.pairsSeen() / 1000.0);
              y.add(p.bySeed().get(seed));
            });
            series.add(new SvgChart.Series(curve.run() + " seed " + seed, x, y, k, true));
          }
        }
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        curve.points().forEach(p -> {
          x.add(p.pairsSeen() / 1000.0);
          y.add(p.summary().mean());
        });
        series.add(new SvgChart.Series(curve.run() + " (" + curve.captions() + ")" + (seeds.size() > 1 ? ", mean of "
            + seeds.size() + " seeds" : ""), x, y, k));
      }
      String title = metric.label() + " vs training pairs seen (" + (ExperimentResults.higherIsBetter(metric.name()) ? "higher"
          : "lower") + " is better)";
      add(svgs, alongTraining, safe("chart-along-training-" + metric.protocol() + "-" + metric.name() + ".svg"), title,
          metric.name(), series, "thousands of training pairs seen");
    }

    List<Chart> other = new ArrayList<>();
    for (ExperimentResults.Setting setting : results.settings()) {
      if (setting.protocol().equals("pretrain")) {
        continue;
      }
      for (String metric : results.metrics(setting)) {
        String file = barFile(setting, metric);
        if (drawn.contains(file)) {
          continue;
        }
        String title = metric + ", " + setting.label() + " (" + (ExperimentResults.higherIsBetter(metric) ? "higher" : "lower")
            + " is better; whiskers ±1 sample std over seeds)";
        svgs.put(file, SvgChart.bars(title, metric, bars(results, setting, metric, colour)));
        other.add(new Chart(file, title));
      }
    }
    return new ReportCharts(svgs, List.copyOf(training), List.copyOf(headline), List.copyOf(fractions),
        List.copyOf(alongTraining), List.copyOf(other));
  }

  /**
   * One chart's lines for a quantity ({@code null}: the loss): per run, every seed as a thin line
   * and the mean over seeds at the steps all of them have; a run with one seed is one full line.
   */
  private static List<SvgChart.Series> curves(List<LossCurve> curves, String column, Map<String, Integer> colour) {
    Map<String, List<LossCurve>> byRun = new LinkedHashMap<>();
    for (LossCurve c : curves) {
      if (column == null || c.extra().containsKey(column)) {
        byRun.computeIfAbsent(c.run().isEmpty() ? c.label() : c.run(), k -> new ArrayList<>()).add(c);
      }
    }
    List<SvgChart.Series> series = new ArrayList<>();
    for (Map.Entry<String, List<LossCurve>> e : byRun.entrySet()) {
      int k = colour.get(e.getKey());
      if (e.getValue().size() == 1) {
        LossCurve c = e.getValue().get(0);
        series.add(new SvgChart.Series(c.label(), c.steps(), values(c, column), k));
        continue;
      }
      Map<Double, List<Double>> atStep = new TreeMap<>();
      for (LossCurve c : e.getValue()) {
        series.add(new SvgChart.Series(c.label(), c.steps(), values(c, column), k, true));
        for (int i = 0; i < c.steps().size(); i++) {
          atStep.computeIfAbsent(c.steps().get(i), s -> new ArrayList<>()).add(values(c, column).get(i));
        }
      }
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      atStep.forEach((step, v) -> {
        if (v.size() == e.getValue().size()) {
          x.add(step);
          y.add(v.stream().mapToDouble(d -> d).average().orElse(Double.NaN));
        }
      });
      series.add(new SvgChart.Series(e.getKey() + " (mean of " + e.getValue().size() + " seeds)", x, y, k));
    }
    return series;
  }

  private static List<Double> values(LossCurve c, String column) {
    return column == null ? c.losses() : c.extra().get(column);
  }

  private static List<SvgChart.Bar> bars(ExperimentResults results, ExperimentResults.Setting setting, String metric,
      Map<String, Integer> colour) {
    List<SvgChart.Bar> list = new ArrayList<>();
    for (ExperimentResults.RunInfo run : results.runs()) {
      results.summary(run.run(), setting, metric)
          .ifPresent(v -> list.add(new SvgChart.Bar(run.run(), v.mean(), v.std(), colour.get(run.run()))));
    }
    return list;
  }

  private static void add(Map<String, String> svgs, List<Chart> charts, String file, String title, String yLabel,
      List<SvgChart.Series> series) {
    add(svgs, charts, file, title, yLabel, series, "step");
  }

  private static void add(Map<String, String> svgs, List<Chart> charts, String file, String title, String yLabel,
      List<SvgChart.Series> series, String xLabel) {
    svgs.put(file, SvgChart.lines(title, xLabel, yLabel, series));
    charts.add(new Chart(file, title));
  }

  private static String barFile(ExperimentResults.Setting setting, String metric) {
    return safe("chart-" + setting.protocol() + "-" + Math.round(setting.fraction() * 100) + "-" + metric + ".svg");
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
