package dev.recap.coordinator.plan;

import dev.recap.bus.task.CurateTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code curate} stage: one task per (caption source x pair shard) of the {@code synth-data}
 * stage in {@code after}; each writes an Avro sidecar of captions beside its outputs. A source
 * that a {@code train-captioner} stage in {@code after} trained is run with that stage's
 * configuration and saved state. No score filter yet (the CLIP image-text scorer is not wired in).
 *
 * <p>Parameters: {@code sources} (captioner ids, required, e.g. {@code [alt-text, grounded,
 * learned]}), {@code batchSize} (default 32), {@code configs} (optional mapping source ->
 * captioner configuration). Task names: {@code <source>-<shard>}, e.g. {@code grounded-00003}.
 */
public final class CurateStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "curate";

  private static final Set<String> PARAMS = Set.of("sources", "batchSize", "configs");

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    List<String> sources = check.stringListParam(stage, "sources");
    if (sources.isEmpty() && check.ok()) {
      check.problem(stage.field("sources"), "is required: a list of captioner ids, e.g. [alt-text, grounded, learned]");
    }
    for (int i = 0; i < sources.size(); i++) {
      check.requirePlugin(stage.field("sources") + "[" + i + "]", sources.get(i));
      if (!sources.get(i).matches("[A-Za-z0-9._-]{1,64}")) {
        check.problem(stage.field("sources") + "[" + i + "]", "must be a captioner id of letters, digits, '.', '_', '-'");
      }
    }
    Map<String, Object> configs = PipelineParams.mapParam(check, stage, "configs", Map.of());
    for (Map.Entry<String, Object> e : configs.entrySet()) {
      if (!sources.contains(e.getKey())) {
        check.problem(stage.field("configs") + "." + e.getKey(), "is not one of the sources " + sources);
      }
      PipelineParams.map(check, stage.field("configs") + "." + e.getKey(), e.getValue(), Map.of());
    }
    check.intParam(stage, "batchSize", 32, 1, 100_000);
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    List<String> sources = check.stringListParam(stage, "sources");
    int batchSize = check.intParam(stage, "batchSize", 32, 1, 100_000);
    Map<String, Object> configs = PipelineParams.mapParam(check, stage, "configs", Map.of());
    PipelineParams.requireOk(check, stage);
    StageSpec data = PipelineParams.afterOfKind(input.job(), stage, SynthDataStagePlanner.KIND);
    StageSpec trained = PipelineParams.optionalAfterOfKind(input.job(), stage, TrainCaptionerStagePlanner.KIND);
    String trainedId = null;
    Map<String, Object> trainedConfig = Map.of();
    Path state = null;
    if (trained != null) {
      trainedId = check.stringParam(trained, "captioner", "learned");
      trainedConfig = PipelineParams.mapParam(check, trained, "config", Map.of());
      state = TrainCaptionerStagePlanner.stateDirectory(input, trained.name());
    }
    Map<String, Path> shards = new LinkedHashMap<>();
    PipelineParams.taskDirectories(input, data.name()).forEach((task, dir) -> {
      if (task.startsWith("pairs-")) {
        shards.put(task.substring("pairs-".length()), dir.resolve("shard.tar"));
      }
    });
    List<PlannedTask> tasks = new ArrayList<>();
    for (String source : sources) {
      boolean isTrained = source.equals(trainedId);
      Map<String, Object> config = new LinkedHashMap<>(isTrained ? trainedConfig : Map.of());
      config.putAll(PipelineParams.map(check, "configs." + source, configs.get(source), Map.of()));
      for (Map.Entry<String, Path> shard : shards.entrySet()) {
        CurateTask payload = new CurateTask(source, PipelineParams.json(config), isTrained ? state.toString() : null,
            shard.getValue().toString(), batchSize);
        tasks.add(new PlannedTask(source + "-" + shard.getKey(), KIND, payload, TrainCaptionerStagePlanner.requires(source, config)));
      }
    }
    return tasks;
  }

  /** The sidecars of {@code source}, by shard, from a curate stage's outputs. */
  static List<String> sidecars(PlanningInput input, String stageName, String source) {
    List<String> out = new ArrayList<>();
    PipelineParams.taskDirectories(input, stageName).forEach((task, dir) -> {
      if (task.startsWith(source + "-") && task.substring(source.length() + 1).matches("\\d+")) {
        out.add(dir.resolve("captions.avro").toString());
      }
    });
    return out;
  }
}
