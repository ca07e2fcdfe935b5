package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The results of one job grouped for the report: per run (encoder x captions x objective), per
 * setting (protocol, fraction), per metric, a {@link Summary} over seeds. Evaluations of snapshots
 * kept partway through training are left to {@link LearningCurves}.
 */
public final class ExperimentResults {

  /** Metrics where a larger value is better; all others (rmse, absRel, loss) are better smaller. */
  private static final List<String> HIGHER_IS_BETTER = List.of("miou", "aacc", "delta1", "r1", "r5", "r10", "accuracy", "top1",
      "top5");

  /** A protocol at a fraction of the dense training data. */
  public record Setting(String protocol, double fraction) implements Comparable<Setting> {
    public String label() {
      return protocol.equals("retrieval") || protocol.equals("zeroshot") || protocol.equals("pretrain") ? protocol
          : protocol + " @ " + Math.round(fraction * 100) + "%";
    }

    @Override
    public int compareTo(Setting o) {
      int c = Integer.compare(rank(protocol), rank(o.protocol));
      c = c != 0 ? c : protocol.compareTo(o.protocol);
      return c != 0 ? c : Double.compare(fraction, o.fraction);
    }

    private static int rank(String p) {
      return switch (p) {
        case "frozen" -> 0;
        case "finetune" -> 1;
        case "retrieval" -> 2;
        case "zeroshot" -> 3;
        case "pretrain" -> 4;
        default -> 5;
      };
    }
  }

  /** What a run is; its parameter count if a result reported one. */
  public record RunInfo(String run, String encoder, String captions, String objective, Long parameters) {}

  /** Metric names both dense tasks report. */
  private static final List<String> DENSE_SHARED_METRICS = List.of("testLoss", "finalTrainLoss");

  private static final List<String> METRIC_ORDER = List.of("mIoU", "aAcc", "rmse", "absRel", "delta1", "r1", "r5", "r10", "top1",
      "top5");

  private final List<RunResult> results;
  private final Map<String, RunResult> firstReport = new java.util.HashMap<>();
  private final List<String> conflicts = new ArrayList<>();
  private final Map<String, RunInfo> runs = new LinkedHashMap<>();
  private final Map<String, Map<Setting, Map<String, List<Double>>>> values = new TreeMap<>();
  private final Map<String, Map<Setting, Map<String, List<Double>>>> perClass = new TreeMap<>();
  private final Map<String, Map<Setting, Map<String, List<Double>>>> standardErrors = new TreeMap<>();

  public ExperimentResults(List<RunResult> results) {
    this.results = List.copyOf(results);
    // snapshots along a run's training are the learning curves' (LearningCurves), not the final model's summaries
    for (RunResult r : results.stream().filter(r -> !r.snapshot()).sorted((a, b) -> a.run().compareTo(b.run())).toList()) {
      RunInfo known = runs.get(r.run());
      Long params = known != null && known.parameters() != null ? known.parameters() : r.parameters();
      String encoder = known != null && !known.encoder().isEmpty() ? known.encoder() : r.encoder();
      String captions = known != null && !known.captions().isEmpty() ? known.captions() : r.captions();
      runs.put(r.run(), new RunInfo(r.run(), encoder, captions, known != null ? known.objective() : r.objective(), params));
      Setting s = new Setting(r.protocol(), r.fraction());
      r.metrics().forEach((name, v) -> {
        String m = metricKey(r.kind(), name);
        // n must count seeds: a second value for the same run, seed, setting and metric is left out
        RunResult earlier = firstReport.putIfAbsent(r.run() + "\u0000" + r.seed() + "\u0000" + s + "\u0000" + m, r);
        if (earlier != null) {
          conflicts.add(r.file() + ": field 'metrics." + m + "': run " + r.run() + " seed " + r.seed() + " " + s.label()
              + " already reported by " + earlier.file() + "; value left out");
          return;
        }
        values.computeIfAbsent(r.run(), k -> new TreeMap<>()).computeIfAbsent(s, k -> new LinkedHashMap<>())
            .computeIfAbsent(m, k -> new ArrayList<>()).add(v);
        Double se = r.standardErrors().get(name);
        if (se != null) {
          standardErrors.computeIfAbsent(r.run(), k -> new TreeMap<>()).computeIfAbsent(s, k -> new LinkedHashMap<>())
              .computeIfAbsent(m, k -> new ArrayList<>()).add(se);
        }
      });
      r.perClassIoU().forEach((c, v) -> {
        if (firstReport.putIfAbsent(r.run() + "\u0000" + r.seed() + "\u0000" + s + "\u0000class:" + c, r) == null) {
          perClass.computeIfAbsent(r.run(), k -> new TreeMap<>()).computeIfAbsent(s, k -> new TreeMap<>())
              .computeIfAbsent(c, k -> new ArrayList<>()).add(v);
        }
      });
    }
  }

  /**
   * The name a metric is reported under. Segmentation and depth evaluations of the same run and
   * setting both report {@code testLoss} and {@code finalTrainLoss}; those names are qualified by
   * the task ({@code segmentation.testLoss}) so neither hides the other. Names that belong to one
   * task (mIoU, rmse, r1, ...) stay as they are.
   */
  static String metricKey(String task, String metric) {
    boolean dense = "segmentation".equals(task) || "depth".equals(task);
    return dense && DENSE_SHARED_METRICS.contains(metric) ? task + "." + metric : metric;
  }

  /** Values left out because the same run, seed, setting and metric was already reported (file and field). */
  public List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  public static boolean higherIsBetter(String metric) {
    return HIGHER_IS_BETTER.contains(metric.toLowerCase());
  }

  /** Every result read, snapshots' evaluations included. */
  public List<RunResult> results() {
    return results;
  }

  /** Probe metrics against training pairs seen, from the snapshots' evaluations (empty if there are none). */
  public LearningCurves learningCurves() {
    return LearningCurves.of(results);
  }

  public List<RunInfo> runs() {
    return List.copyOf(new TreeMap<>(runs).values());
  }

  /** Every setting some run has a metric for, in report order. */
  public List<Setting> settings() {
    TreeSet<Setting> all = new TreeSet<>();
    values.values().forEach(m -> all.addAll(m.keySet()));
    return List.copyOf(all);
  }

  /** The metrics reported for a setting: the docs/results.md ones in their order, then others by name. */
  public List<String> metrics(Setting setting) {
    TreeSet<String> names = new TreeSet<>((a, b) -> {
      int ra = METRIC_ORDER.indexOf(a);
      int rb = METRIC_ORDER.indexOf(b);
      ra = ra < 0 ? METRIC_ORDER.size() : ra;
      rb = rb < 0 ? METRIC_ORDER.size() : rb;
      return ra != rb ? Integer.compare(ra, rb) : a.compareTo(b);
    });
    values.values().forEach(m -> names.addAll(m.getOrDefault(setting, Map.of()).keySet()));
    return List.copyOf(names);
  }

  /** The metric of a run in a setting over seeds. */
  public Optional<Summary> summary(String run, Setting setting, String metric) {
    List<Double> v = values.getOrDefault(run, Map.of()).getOrDefault(setting, Map.of()).get(metric);
    return v == null ? Optional.empty() : Optional.of(Summary.of(v));
  }

  /**
   * The test-resampling standard error of a run's metric in a setting (result.json's
   * {@code bootstrap.standardErrors}), averaged over the seeds that report one. Not divided by
   * the number of seeds: every seed is scored on the same test images, so more seeds do not
   * make the test set larger. Empty when no seed reports one.
   */
  public Optional<Double> testStandardError(String run, Setting setting, String metric) {
    List<Double> v = standardErrors.getOrDefault(run, Map.of()).getOrDefault(setting, Map.of()).get(metric);
    return v == null ? Optional.empty() : Optional.of(v.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
  }

  /** Same as {@link #testStandardError(String, Setting, String)}, matching the fraction to 1e-9. */
  public Optional<Double> testStandardError(String run, String protocol, double fraction, String metric) {
    for (Setting s : standardErrors.getOrDefault(run, Map.of()).keySet()) {
      if (s.protocol().equals(protocol) && Math.abs(s.fraction() - fraction) < 1e-9) {
        return testStandardError(run, s, metric);
      }
    }
    return Optional.empty();
  }

  /** Same as {@link #summary(String, Setting, String)}, matching the fraction to 1e-9. */
  public Optional<Summary> summary(String run, String protocol, double fraction, String metric) {
    for (Setting s : values.getOrDefault(run, Map.of()).keySet()) {
      if (s.protocol().equals(protocol) && Math.abs(s.fraction() - fraction) < 1e-9) {
        return summary(run, s, metric);
      }
    }
    return Optional.empty();
  }

  /** Settings with per-class IoU, and the class names seen in them. */
  public Map<Setting, List<String>> perClassSettings() {
    Map<Setting, TreeSet<String>> out = new TreeMap<>();
    perClass.values().forEach(m -> m.forEach((s, classes) -> out.computeIfAbsent(s, k -> new TreeSet<>()).addAll(classes.keySet())));
    Map<Setting, List<String>> list = new TreeMap<>();
    out.forEach((s, c) -> list.put(s, List.copyOf(c)));
    return list;
  }

  public Optional<Summary> perClassIoU(String run, Setting setting, String className) {
    List<Double> v = perClass.getOrDefault(run, Map.of()).getOrDefault(setting, Map.of()).get(className);
    return v == null ? Optional.empty() : Optional.of(Summary.of(v));
  }
}
