package dev.recap.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.task.PretrainGangTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PretrainGangStagePlannerTest {

  private final PretrainGangStagePlanner planner = new PretrainGangStagePlanner();

  @Test
  void plansOneMemberSlotPerWorkerWithTheSameRun() {
    StageSpec stage = new StageSpec("pretrain", "pretrain-gang", List.of(), Map.of("workers", 3, "steps", 40,
        "stepsPerRange", 5, "globalBatch", 24, "samples", 96, "learningRate", 0.002,
        "imageConfig", List.of("width=32", "depth=1")), "stages[1]");
    List<PlannedTask> tasks = planner.plan(stage, new PlanningInput("job-1", null, Map.of()));
    assertEquals(List.of("member-00", "member-01", "member-02"), tasks.stream().map(PlannedTask::name).toList());
    for (int i = 0; i < 3; i++) {
      PretrainGangTask t = (PretrainGangTask) tasks.get(i).payload();
      assertEquals(i, t.getSlot());
      assertEquals("job-1/pretrain", t.getRunId());
      assertEquals(40, t.getTotalSteps());
      assertEquals(24, t.getGlobalBatch());
      assertEquals(0.002, t.getLearningRate());
      assertEquals(Map.of("width", "32", "depth", "1"), t.getImageConfig());
      assertEquals(PretrainGangStagePlanner.TASK_TYPE, tasks.get(i).taskType());
      assertEquals(Set.of("vit", "text-transformer"), tasks.get(i).requiredPlugins());
    }
    assertEquals(tasks.toString(), planner.plan(stage, new PlanningInput("job-1", null, Map.of())).toString(),
        "planning is deterministic, so a restarted coordinator matches the slots it journaled");
  }

  @Test
  void badParametersAreNamedByField() {
    StageSpec stage = new StageSpec("pretrain", "pretrain-gang", List.of(), Map.of("workers", 5, "globalBatch", 4,
        "samples", 10, "learningRate", "fast", "imageConfig", List.of("width")), "stages[0]");
    SpecCheck check = new SpecCheck(Set.of("vit", "text-transformer"));
    planner.validate(stage, check);
    List<String> fields = check.problems().stream().map(SpecProblem::field).toList();
    assertTrue(fields.containsAll(List.of("stages[0].samples", "stages[0].workers", "stages[0].learningRate",
        "stages[0].imageConfig[0]")), check.problems().toString());
  }
}
