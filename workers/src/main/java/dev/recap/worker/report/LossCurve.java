package dev.recap.worker.report;

import java.nio.file.Path;
import java.util.List;

/**
 * One {@code loss.csv} (columns {@code step,loss,...}): the steps and the loss at each.
 *
 * @param label what the curve is (run and seed when the task's result.json says so, else the task)
 */
public record LossCurve(Path file, String stage, String task, String label, List<Double> steps, List<Double> losses) {}
