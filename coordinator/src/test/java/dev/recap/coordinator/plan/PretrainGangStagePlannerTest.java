package dev.recap.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.bus.task.PretrainGangTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PretrainGangStagePlannerTest {

  private final PretrainGangStagePlanner planner = new PretrainGangStagePlanner();

  @Test
  void plansOneMemberSlotPerWorkerWithTheSameRunOverTheShards() {
    StageSpec stage = new StageSpec("pretrain", "pretrain-gang", List.of(), Map.of("workers", 3, "maxSteps", 40,
        "stepsPerRange", 5, "batchSize", 24, "learningRate", 0.002, "seed", 9,
        "encoderConfig", Map.of("width", 32, "depth", 1), "shards", List.of("/data/a.tar", "/data/b.tar")), "stages[1]");
    List<PlannedTask> tasks = planner.plan(stage, new PlanningInput("job-1", null, Map.of()));
    assertEquals(List.of("member-00", "member-01", "member-02"), tasks.stream().map(PlannedTask::name).toList());
    for (int i = 0; i < 3; i++) {
      PretrainGangTask t = (PretrainGangTask) tasks.get(i).payload();
      assertEquals(i, t.getSlot());
      assertEquals("job-1/pretrain", t.getRunId());
      assertEquals("pretrain", t.getRun());
      assertEquals(9, t.getSeed());
      assertEquals(List.of("/data/a.tar", "/data/b.tar"), t.getShards());
      assertEquals("", t.getCaptions(), "no curate source: the shards' own captions");
      JsonObject spec = new JsonObject(t.getSpec());
      assertEquals("clip", spec.getString("objective"));
      assertEquals(40, spec.getLong("maxSteps"));
      assertEquals(24, spec.getInteger("batchSize"));
      assertEquals(0.002, spec.getDouble("learningRate"));
      assertEquals(new JsonObject().put("width", 32).put("depth", 1), spec.getJsonObject("imageConfig"));
      assertEquals(PretrainGangStagePlanner.TASK_TYPE, tasks.get(i).taskType());
      assertEquals(Set.of("vit", "text-transformer"), tasks.get(i).requiredPlugins());
    }
    assertEquals(tasks.toString(), planner.plan(stage, new PlanningInput("job-1", null, Map.of())).toString(),
        "planning is deterministic, so a restarted coordinator matches the slots it journaled");
  }

  @Test
  void takesThePairShardsOfTheSynthDataStageAndTheCuratedSidecarsOfItsSource() {
    StageSpec data = new StageSpec("data", "synth-data", List.of(), Map.of(), "stages[0]");
    StageSpec curate = new StageSpec("curate", "curate", List.of("data"), Map.of(), "stages[1]");
    StageSpec stage = new StageSpec("gang", "pretrain-gang", List.of("data", "curate"), Map.of("captions", "grounded",
        "curatedProbability", 0.5), "stages[2]");
    JobSpec job = new JobSpec("j", 1, "/out", 3, 30, List.of(data, curate, stage), "");
    Map<String, Map<String, TaskOutputs>> deps = Map.of(
        "data", Map.of("pairs-00000", Declared.task("data", "pairs-00000", OutputKind.MANIFEST, OutputKind.PAIRS_SHARD),
            "pairs-00001", Declared.task("data", "pairs-00001", OutputKind.MANIFEST, OutputKind.PAIRS_SHARD),
            "heldout-00000", Declared.task("data", "heldout-00000", OutputKind.MANIFEST, OutputKind.PAIRS_SHARD)),
        "curate", Map.of("grounded-00000", Declared.task("curate", "grounded-00000", OutputKind.CURATED_CAPTIONS, OutputKind.LOG),
            "alt-text-00000", Declared.task("curate", "alt-text-00000", OutputKind.CURATED_CAPTIONS, OutputKind.LOG)));
    PretrainGangTask t = (PretrainGangTask) planner.plan(stage, new PlanningInput("j", job, deps)).get(0).payload();
    assertEquals(List.of(Declared.path("data", "pairs-00000", OutputKind.PAIRS_SHARD),
        Declared.path("data", "pairs-00001", OutputKind.PAIRS_SHARD)), t.getShards(), "pairs only, not held-out");
    assertEquals(List.of(Declared.path("curate", "grounded-00000", OutputKind.CURATED_CAPTIONS)), t.getSidecars());
    assertEquals("grounded", t.getCaptions());
    assertEquals(0.5, new JsonObject(t.getSpec()).getDouble("curatedProbability"));
  }

  @Test
  void anEvaluateStageAfterTheGangEvaluatesTheRunTheOneSlotDeclared() {
    StageSpec data = new StageSpec("data", "synth-data", List.of(), Map.of(), "stages[0]");
    StageSpec gang = new StageSpec("gang", "pretrain-gang", List.of("data"), Map.of("run", "vit-gang", "seed", 4,
        "encoder", "vit"), "stages[1]");
    StageSpec evaluate = new StageSpec("eval", "evaluate", List.of("data", "gang"), Map.of("tasks", List.of("depth"),
        "protocols", List.of("frozen")), "stages[2]");
    JobSpec job = new JobSpec("j", 1, "/out", 3, 30, List.of(data, gang, evaluate), "");
    Map<String, Map<String, TaskOutputs>> deps = Map.of(
        "data", Map.of("dense-train", Declared.task("data", "dense-train", OutputKind.DENSE_FOLDER),
            "dense-test", Declared.task("data", "dense-test", OutputKind.DENSE_FOLDER),
            "heldout-00000", Declared.task("data", "heldout-00000", OutputKind.PAIRS_SHARD, OutputKind.MANIFEST)),
        "gang", Map.of("member-00", Declared.task("gang", "member-00", OutputKind.LOG),
            "member-01", Declared.task("gang", "member-01", OutputKind.LOG, OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT)));
    List<PlannedTask> tasks = new EvaluateStagePlanner().plan(evaluate, new PlanningInput("j", job, deps));
    assertEquals(List.of("vit-gang-s4-frozen-depth-f1.0", "vit-gang-s4-retrieval"), tasks.stream().map(PlannedTask::name).toList());
    for (PlannedTask t : tasks) {
      EvaluateTask payload = (EvaluateTask) t.payload();
      assertEquals(Declared.path("gang", "member-01", OutputKind.TRAINED_RUN), payload.getPretrained(), "the slot that declared the run");
      assertEquals(4, payload.getSeed());
    }
  }

  @Test
  void badParametersAreNamedByField() {
    StageSpec stage = new StageSpec("pretrain", "pretrain-gang", List.of(), Map.of("workers", 5, "batchSize", 4,
        "minWorkers", 6, "learningRate", "fast", "encoderConfig", List.of("width"), "steps", 3), "stages[0]");
    SpecCheck check = new SpecCheck(Set.of("vit", "text-transformer"));
    planner.validate(stage, check);
    List<String> fields = check.problems().stream().map(SpecProblem::field).toList();
    assertTrue(fields.containsAll(List.of("stages[0].minWorkers", "stages[0].workers", "stages[0].learningRate",
        "stages[0].encoderConfig", "stages[0].steps")), check.problems().toString());
  }
}
