package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A table of the report as strings, rendered by both the markdown and the html writer so the two
 * always show the same numbers.
 */
public record ReportTable(String caption, List<String> header, List<List<String>> rows) {

  /**
   * One table per metric of {@link LearningCurves}: a row per run, a column per number of training
   * pairs seen, each cell the metric over seeds there; empty if no snapshot was evaluated.
   */
  public static List<ReportTable> alongTraining(ExperimentResults results) {
    LearningCurves learning = results.learningCurves();
    List<ReportTable> tables = new ArrayList<>();
    for (LearningCurves.Metric metric : learning.metrics()) {
      TreeSet<Long> pairs = new TreeSet<>();
      learning.curves(metric).forEach(c -> c.points().forEach(p -> pairs.add(p.pairsSeen())));
      List<String> header = new ArrayList<>(List.of("run", "captions"));
      pairs.forEach(p -> header.add(p + " pairs"));
      List<List<String>> rows = new ArrayList<>();
      for (LearningCurves.Curve curve : learning.curves(metric)) {
        List<String> row = new ArrayList<>(List.of(curve.run(), curve.captions()));
        for (long p : pairs) {
          row.add(curve.points().stream().filter(point -> point.pairsSeen() == p).findFirst()
              .map(point -> point.summary().format()).orElse("—"));
        }
        rows.add(row);
      }
      tables.add(new ReportTable(metric.label() + " against training pairs seen (snapshots along each run, the last column"
          + " its final model; mean ± sample standard deviation over seeds)", header, rows));
    }
    return tables;
  }

  /** One row per run: what it is, its parameter count, then each setting's metrics over seeds. */
  public static ReportTable comparison(ExperimentResults results) {
    List<String> header = new ArrayList<>(List.of("run", "encoder", "captions", "objective", "parameters"));
    List<ExperimentResults.Setting> settings = results.settings();
    for (ExperimentResults.Setting s : settings) {
      for (String m : results.metrics(s)) {
        header.add(s.label() + " " + m);
      }
    }
    List<List<String>> rows = new ArrayList<>();
    for (ExperimentResults.RunInfo run : results.runs()) {
      List<String> row = new ArrayList<>(List.of(run.run(), run.encoder(), run.captions(), run.objective(),
          run.parameters() == null ? "—" : String.valueOf(run.parameters())));
      for (ExperimentResults.Setting s : settings) {
        for (String m : results.metrics(s)) {
          Optional<Double> testError = results.testStandardError(run.run(), s, m);
          row.add(results.summary(run.run(), s, m)
              .map(sum -> sum.format() + testError.map(e -> " test SE " + Numbers.format(e)).orElse(""))
              .orElse("—"));
        }
      }
      rows.add(row);
    }
    return new ReportTable("Comparison: mean ± sample standard deviation over seeds (n = number of seeds); test SE ="
        + " standard error over resampled test images (bootstrap, mean over seeds), where the evaluation recorded it",
        header, rows);
  }

  /** Per-class IoU of one setting: one row per run, one column per class. */
  public static List<ReportTable> perClass(ExperimentResults results) {
    List<ReportTable> tables = new ArrayList<>();
    for (Map.Entry<ExperimentResults.Setting, List<String>> e : results.perClassSettings().entrySet()) {
      List<String> header = new ArrayList<>(List.of("run"));
      header.addAll(e.getValue());
      List<List<String>> rows = new ArrayList<>();
      for (ExperimentResults.RunInfo run : results.runs()) {
        List<String> row = new ArrayList<>(List.of(run.run()));
        boolean any = false;
        for (String c : e.getValue()) {
          Optional<Summary> s = results.perClassIoU(run.run(), e.getKey(), c);
          any |= s.isPresent();
          row.add(s.map(Summary::format).orElse("—"));
        }
        if (any) {
          rows.add(row);
        }
      }
      tables.add(new ReportTable("Per-class IoU, " + e.getKey().label() + " (mean ± sample std over seeds)", header, rows));
    }
    return tables;
  }

  /** How each pretraining run augmented its images (one row per run and setting); empty if none recorded it. */
  public static ReportTable pretrainAugmentation(ExperimentResults results) {
    java.util.Map<String, java.util.SortedSet<String>> byRun = new java.util.TreeMap<>();
    for (RunResult r : results.results()) {
      if (r.protocol().equals("pretrain") && !r.augment().isEmpty()) {
        byRun.computeIfAbsent(r.run(), k -> new java.util.TreeSet<>()).add(r.augment());
      }
    }
    List<List<String>> rows = new ArrayList<>();
    byRun.forEach((run, augments) -> rows.add(List.of(run, String.join("; ", augments))));
    return new ReportTable("Training augmentation of each pretraining run (from result.json)", List.of("run", "augmentation"),
        rows);
  }

  /** Wall time per stage from the tasks' recorded durations. */
  public static ReportTable wallTimes(Map<String, ReportBuilder.StageTime> times) {
    List<List<String>> rows = new ArrayList<>();
    times.forEach((stage, t) -> rows.add(List.of(stage, String.valueOf(t.tasks()), Numbers.format(t.totalSeconds()),
        Numbers.format(t.longestSeconds()))));
    return new ReportTable("Wall time per stage (from the tasks' wallSeconds in result.json)",
        List.of("stage", "tasks with a time", "sum of task seconds", "longest task seconds"), rows);
  }

  /** The plugin code the results were produced with: one row per jar (plugin, version, short sha-256) and the runs that ran it. */
  public static ReportTable code(ExperimentResults results) {
    java.util.Map<RunResult.PluginCode, java.util.SortedSet<String>> runs = new java.util.TreeMap<>(
        java.util.Comparator.comparing(RunResult.PluginCode::plugin).thenComparing(RunResult.PluginCode::version)
            .thenComparing(RunResult.PluginCode::sha256));
    for (RunResult r : results.results()) {
      r.code().forEach(c -> runs.computeIfAbsent(c, k -> new java.util.TreeSet<>()).add(r.run()));
    }
    List<List<String>> rows = new ArrayList<>();
    runs.forEach((c, names) -> rows.add(List.of(c.plugin(), c.version(), c.sha256().substring(0, Math.min(12, c.sha256().length())),
        String.join(", ", names))));
    return new ReportTable("Plugin code the results ran (from result.json's code: the jar's sha-256, first 12 digits)",
        List.of("plugin", "version", "sha-256", "runs"), rows);
  }
}
