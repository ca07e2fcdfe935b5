package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Probe metrics against the training pairs a model had seen: the evaluations of the snapshots a
 * pretrain run kept along its training ({@code snapshot: true} results) beside those of its final
 * model, per run, per seed. It answers where along training the caption sources part: a curve per
 * run for frozen-probe mIoU, frozen-probe RMSE and retrieval R@1, with every seed's value.
 * Empty unless some result is a snapshot's.
 */
public final class LearningCurves {

  /** One metric as the curves follow it: the evaluation setting it comes from. */
  public record Metric(String protocol, String task, String name) {

    /** "frozen probe mIoU", "retrieval R@1". */
    public String label() {
      return protocol.equals("retrieval") ? "retrieval " + (name.equals("r1") ? "R@1" : name) : protocol + " probe " + name;
    }
  }

  /** The metrics followed, in report order. */
  public static final List<Metric> METRICS = List.of(new Metric("frozen", "segmentation", "mIoU"),
      new Metric("frozen", "depth", "rmse"), new Metric("retrieval", "retrieval", "r1"));

  /** One point of a curve: training pairs seen, and the metric over the seeds evaluated there. */
  public record Point(long pairsSeen, Summary summary, Map<Long, Double> bySeed) {}

  /** A run's curve for one metric, points by pairs seen. */
  public record Curve(String run, String captions, Metric metric, List<Point> points) {}

  private final List<Curve> curves;

  private LearningCurves(List<Curve> curves) {
    this.curves = List.copyOf(curves);
  }

  /**
   * The curves in {@code results}. The frozen probes are taken at the fraction the snapshots were
   * probed at (the final model's probe at that fraction closes the curve); a run needs at least two
   * points to have a curve.
   */
  public static LearningCurves of(List<RunResult> results) {
    List<RunResult> snapshots = results.stream().filter(RunResult::snapshot).toList();
    if (snapshots.isEmpty()) {
      return new LearningCurves(List.of());
    }
    List<Curve> curves = new ArrayList<>();
    for (Metric metric : METRICS) {
      TreeSet<Double> fractions = new TreeSet<>();
      snapshots.stream().filter(r -> matches(r, metric)).forEach(r -> fractions.add(r.fraction()));
      if (fractions.isEmpty()) {
        continue;
      }
      double fraction = fractions.first();
      // run -> pairs seen -> seed -> value
      Map<String, TreeMap<Long, Map<Long, Double>>> byRun = new TreeMap<>();
      Map<String, String> captions = new LinkedHashMap<>();
      for (RunResult r : results) {
        Double v = r.metrics().get(metric.name());
        if (!matches(r, metric) || r.pairsSeen() == null || v == null || r.fraction() != fraction) {
          continue;
        }
        byRun.computeIfAbsent(r.run(), k -> new TreeMap<>()).computeIfAbsent(r.pairsSeen(), k -> new TreeMap<>())
            .putIfAbsent(r.seed(), v);
        captions.putIfAbsent(r.run(), r.captions());
      }
      byRun.forEach((run, points) -> {
        if (points.size() < 2) {
          return;
        }
        List<Point> list = new ArrayList<>();
        points.forEach((pairs, seeds) -> list.add(new Point(pairs, Summary.of(new ArrayList<>(seeds.values())), seeds)));
        curves.add(new Curve(run, captions.get(run), metric, list));
      });
    }
    return new LearningCurves(curves);
  }

  private static boolean matches(RunResult r, Metric metric) {
    return r.protocol().equals(metric.protocol()) && r.kind().equals(metric.task());
  }

  public boolean isEmpty() {
    return curves.isEmpty();
  }

  /** Every curve, grouped by metric in {@link #METRICS} order, runs by name. */
  public List<Curve> curves() {
    return curves;
  }

  /** The curves of one metric. */
  public List<Curve> curves(Metric metric) {
    return curves.stream().filter(c -> c.metric().equals(metric)).toList();
  }

  /** The metrics that have at least one curve, in {@link #METRICS} order. */
  public List<Metric> metrics() {
    return METRICS.stream().filter(m -> !curves(m).isEmpty()).toList();
  }
}
