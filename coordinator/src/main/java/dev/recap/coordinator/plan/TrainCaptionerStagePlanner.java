package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.TrainCaptionerTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code train-captioner} stage: one task that trains a trainable captioner on the reference
 * pairs of the data stage in its {@code after} list: the reference shard of {@code synth-data},
 * or the pairs of a {@code dataset} that carry its {@code referenceCaption} (a dataset without
 * one is a submission error).
 *
 * <p>Parameters: {@code captioner} (default {@code learned}), {@code config} (the captioner's
 * configuration, e.g. {@code {encoder: vit, encoder.preset: vit-tiny, steps: 400}}; the curate
 * stage captions with the same configuration and the saved state), {@code referenceCaption}
 * (caption source of the references, default {@code quality}).
 */
public final class TrainCaptionerStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "train-captioner";

  private static final Set<String> PARAMS = Set.of("captioner", "config", "referenceCaption");

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    String captioner = check.stringParam(stage, "captioner", "learned");
    check.requirePlugin(stage.field("captioner"), captioner);
    Map<String, Object> config = PipelineParams.mapParam(check, stage, "config", Map.of());
    if (config.get("encoder") instanceof String encoder) {
      check.requirePlugin(stage.field("config") + ".encoder", encoder);
    }
    check.stringParam(stage, "referenceCaption", "quality");
  }

  @Override
  public void validate(StageSpec stage, JobSpec job, SpecCheck check) {
    validate(stage, check);
    StageSpec data = PipelineParams.optionalImageTextStage(job, stage);
    if (data != null && data.kind().equals(DatasetStagePlanner.KIND) && !DatasetStagePlanner.hasReferences(data)) {
      check.problem(stage.path() + ".after", "stage '" + data.name() + "' (kind dataset) names no referenceCaption, so it has no"
          + " trusted captions to train a captioner on: set its referenceCaption: json:<field>, or caption with a captioner"
          + " that needs no training (alt-text, torchscript)");
    }
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    String captioner = check.stringParam(stage, "captioner", "learned");
    Map<String, Object> config = PipelineParams.mapParam(check, stage, "config", Map.of());
    String referenceCaption = check.stringParam(stage, "referenceCaption", "quality");
    PipelineParams.requireOk(check, stage);
    ImageTextData data = PipelineParams.imageTextSource(input, stage);
    List<String> shards = new ArrayList<>();
    data.reference().forEach(p -> shards.add(p.toString()));
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("stage '" + data.stage().name() + "' declared no reference pairs to train a captioner on: "
          + (data.annotated() ? "set its referenceFraction above 0" : "no pair has a caption in its referenceCaption field"));
    }
    return List.of(new PlannedTask("captioner", KIND,
        new TrainCaptionerTask(captioner, PipelineParams.json(config), shards, referenceCaption), requires(captioner, config)));
  }

  static Set<String> requires(String captioner, Map<String, Object> config) {
    Set<String> requires = new LinkedHashSet<>(List.of(captioner));
    if (config.get("encoder") instanceof String encoder) {
      requires.add(encoder);
    }
    return requires;
  }

  /** The {@code captioner-state} directory the stage's task declared. */
  static Path stateDirectory(PlanningInput input, String stageName) {
    return input.outputOf(stageName, "captioner", OutputKind.CAPTIONER_STATE);
  }
}
