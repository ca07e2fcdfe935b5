package dev.recap.worker.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code result.json} (docs/results.md), as read.
 *
 * @param objective {@code clip}, {@code mae}, {@code none}: the field {@code objective} if present,
 *     else {@code mae}/{@code none} when the captions say so, else {@code clip}
 * @param parameters the encoder's parameter count, or null if the file has none
 * @param wallSeconds the task's wall time if the file records it ({@code wallSeconds}), else null
 * @param standardErrors per metric, its standard error over resampled test sets
 *     ({@code bootstrap.standardErrors}); empty when the file has none
 * @param augment how a pretraining run augmented its images ({@code augment}), empty if not recorded
 * @param pairsSeen training pairs the evaluated model had seen ({@code pairsSeen}), null if not recorded
 * @param snapshot true for an evaluation of a snapshot kept partway through a run's training: it
 *     feeds {@link LearningCurves}, not the run's summaries and claims
 * @param code the plugin jars the task ran ({@code code}: plugin, version, sha-256), empty if not recorded
 */
public record RunResult(Path file, String stage, String task, String run, String encoder, String captions,
    String objective, long seed, String protocol, String kind, String head, double fraction, Long parameters,
    Map<String, Double> metrics, Map<String, Double> perClassIoU, List<PredictionImage> images, Double wallSeconds,
    Map<String, Double> standardErrors, String augment, Long pairsSeen, boolean snapshot, List<PluginCode> code) {

  /** Without the plugin code (a result from before it was recorded). */
  public RunResult(Path file, String stage, String task, String run, String encoder, String captions,
      String objective, long seed, String protocol, String kind, String head, double fraction, Long parameters,
      Map<String, Double> metrics, Map<String, Double> perClassIoU, List<PredictionImage> images, Double wallSeconds,
      Map<String, Double> standardErrors, String augment, Long pairsSeen, boolean snapshot) {
    this(file, stage, task, run, encoder, captions, objective, seed, protocol, kind, head, fraction, parameters, metrics,
        perClassIoU, images, wallSeconds, standardErrors, augment, pairsSeen, snapshot, List.of());
  }

  /** One plugin jar a task ran: its PF4J id and version and the SHA-256 of its bytes. */
  public record PluginCode(String plugin, String version, String sha256) {}

  /** A prediction image listed in the result, resolved beside the result file. */
  public record PredictionImage(String kind, Path file) {}
}
