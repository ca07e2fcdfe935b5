package dev.recap.worker.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code loss.csv} (columns {@code step,loss,...}): the steps and the loss at each.
 *
 * @param label what the curve is (run and seed when the task's result.json says so, else the task)
 * @param objective what the loss measures ({@code clip}, {@code mae}, ...; empty when no result.json
 *     names it), so losses of different objectives are never drawn on one axis
 * @param run the run the curve belongs to (empty when no result.json names it), for grouping seeds
 * @param extra the optional columns {@link #TRACKED} present in the file, each with one value per step
 */
public record LossCurve(Path file, String stage, String task, String label, String objective, String run,
    List<Double> steps, List<Double> losses, Map<String, List<Double>> extra) {

  /** Optional loss.csv columns the report draws besides the loss. */
  public static final List<String> TRACKED = List.of("logit_scale", "lr");
}
