package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.plan;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluate stage's {@code features} (dense mode per encoder) and {@code bootstrapResamples} fields. */
class EvaluateFeaturesPlanningTest {

  private static final String JOB = """
      name: exp
      stages:
        - {name: data, kind: synth-data, pairs: 100, shardSize: 100, heldOut: 10, denseTrain: 20, denseTest: 10}
        - name: pretrain
          kind: pretrain
          after: [data]
          seeds: [1]
          runs:
            - {name: vit-random, objective: none, encoder: vit}
            - {name: mci-random, objective: none, encoder: mci, encoderConfig: {preset: mci-micro}}
        - name: evaluate
          kind: evaluate
          after: [data, pretrain]
          tasks: [segmentation]
          retrieval: false
          frozen: {features: {vit: blocks}, bootstrapResamples: 500}
          finetune: {fractions: [1.0], features: stride8}
      """;

  private static Map<String, JsonObject> configsByTask() {
    JobSpec job = JobSpecParser.parse(JOB, "test");
    List<PlannedTask> data = plan(new SynthDataStagePlanner(), job, "data", Map.of());
    Map<String, TaskOutputs> dataOut = Declared.synthData(data, "data");
    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), job, "pretrain", Map.of("data", dataOut));
    List<PlannedTask> evaluate = plan(new EvaluateStagePlanner(), job, "evaluate",
        Map.of("data", dataOut, "pretrain", Declared.each(pretrain, "pretrain", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT)));
    Map<String, JsonObject> configs = new LinkedHashMap<>();
    evaluate.forEach(t -> configs.put(t.name(), new JsonObject(((EvaluateTask) t.payload()).getConfig())));
    return configs;
  }

  @Test
  void featuresPerEncoderReachOnlyThatEncodersTasksAndOneNameReachesEveryRun() {
    Map<String, JsonObject> configs = configsByTask();
    assertEquals("blocks", configs.get("vit-random-s1-frozen-segmentation-f1.0").getString("features"));
    assertFalse(configs.get("mci-random-s1-frozen-segmentation-f1.0").containsKey("features"),
        "the mci run keeps its default map: the mapping names only vit");
    assertEquals("stride8", configs.get("mci-random-s1-finetune-segmentation-f1.0").getString("features"));
    // one name for every run: the worker refuses it for an encoder without that mode, naming both
    assertEquals("stride8", configs.get("vit-random-s1-finetune-segmentation-f1.0").getString("features"));
  }

  @Test
  void bootstrapResamplesDefaultTo200AndCanBeSet() {
    Map<String, JsonObject> configs = configsByTask();
    assertEquals(500, configs.get("vit-random-s1-frozen-segmentation-f1.0").getInteger("bootstrapResamples"));
    assertEquals(200, configs.get("vit-random-s1-finetune-segmentation-f1.0").getInteger("bootstrapResamples"));
  }

  @Test
  void badFeaturesAndResampleCountsNameTheField() {
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {features: 3}}"),
        "stages[0].frozen.features", "dense mode name");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {features: {vit: [blocks]}}}"),
        "stages[0].frozen.features.vit", "dense mode of encoder 'vit'");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, finetune: {bootstrapResamples: 1}}"),
        "stages[0].finetune.bootstrapResamples", "at least 2");
    assertTrue(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {features: blocks, bootstrapResamples: 0}}")
        .isEmpty());
  }
}
