package dev.recap.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.ReportInput;
import dev.recap.bus.task.ReportTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportStagePlannerTest {

  private final ReportStagePlanner planner = new ReportStagePlanner();

  private static StageSpec stage(List<String> after, Map<String, Object> params) {
    return new StageSpec("report", "report", after, params, "stages[3]");
  }

  private static PlanningInput input(Map<String, Map<String, TaskOutputs>> deps) {
    return new PlanningInput("demo-1", new JobSpec("demo", 0, null, 3, 10, List.of(), ""), deps);
  }

  @Test
  void oneTaskReadsTheDeclaredResultsLossCurvesAndImagesOfEveryDependencyInAStableOrder() throws Exception {
    Map<String, Map<String, TaskOutputs>> deps = new LinkedHashMap<>();
    deps.put("pretrain", Map.of("vit-grounded-s1", new TaskOutputs(List.of(declared("/a/p1/loss.csv", OutputKind.LOSS_CURVE),
        declared("/a/p1/result.json", OutputKind.RUN_RESULT), declared("/a/p1/model", OutputKind.TRAINED_RUN),
        declared("/a/p1/member-loss.csv", OutputKind.LOG)), "{}")));
    // the kind decides, not the name: a result under another name is read, a .png that is a log is not
    deps.put("evaluate", Map.of("b", new TaskOutputs(List.of(declared("/a/e2/outcome.json", OutputKind.RUN_RESULT),
        declared("/a/e2/pred-0.png", OutputKind.IMAGE), declared("/a/e2/debug.png", OutputKind.LOG)), "{}"),
        "a", new TaskOutputs(List.of(declared("/a/e1/result.json", OutputKind.RUN_RESULT)), "{}")));
    List<PlannedTask> tasks = planner.plan(stage(List.of("evaluate", "pretrain"), Map.of()), input(deps));
    assertEquals(1, tasks.size());
    assertEquals("report", tasks.get(0).name());
    assertEquals(ReportStagePlanner.TASK_TYPE, tasks.get(0).taskType());
    ReportTask task = (ReportTask) tasks.get(0).payload();
    assertEquals(List.of("evaluate/a:/a/e1/result.json:run-result", "evaluate/b:/a/e2/outcome.json:run-result",
        "evaluate/b:/a/e2/pred-0.png:image", "pretrain/vit-grounded-s1:/a/p1/loss.csv:loss-curve",
        "pretrain/vit-grounded-s1:/a/p1/result.json:run-result"),
        task.getInputs().stream().map(ReportInputs::describe).toList());
    assertEquals("runs/demo-1", task.getCopyTo());
    assertEquals("vit-grounded", task.getQualityRun());
    // the payload crosses the bus as Avro: it must round-trip
    assertEquals(task, ReportTask.getDecoder().decode(ReportTask.getEncoder().encode(task)));
  }

  @Test
  void parametersReachThePayload() {
    Map<String, Object> params = Map.of("copyTo", "", "qualityRun", "q", "altTextRun", "alt", "lowFraction", 0.25,
        "closeTolerance", 0.05, "probeProtocol", "linear", "title", "T");
    ReportTask task = (ReportTask) planner.plan(stage(List.of("evaluate"), params), input(Map.of())).get(0).payload();
    assertEquals("", task.getCopyTo());
    assertEquals("q", task.getQualityRun());
    assertEquals("alt", task.getAltTextRun());
    assertEquals(0.25, task.getLowFraction());
    assertEquals(0.05, task.getCloseTolerance());
    assertEquals("linear", task.getProbeProtocol());
    assertEquals("T", task.getTitle());
  }

  @Test
  void validationNamesTheField() {
    SpecCheck check = new SpecCheck(null);
    planner.validate(stage(List.of(), Map.of("lowFraction", 2, "qualityRun", " ", "colour", "red", "maeRun", 3)), check);
    List<String> problems = check.problems().stream().map(SpecProblem::toString).toList();
    assertEquals(5, problems.size(), problems.toString());
    assertHas(problems, "stages[3].after", "after: [pretrain, evaluate]");
    assertHas(problems, "stages[3].lowFraction", "(0, 1]");
    assertHas(problems, "stages[3].qualityRun", "must name a run");
    assertHas(problems, "stages[3].colour", "unknown parameter");
    assertHas(problems, "stages[3].maeRun", "must be a string");
  }

  private static void assertHas(List<String> problems, String field, String text) {
    assertTrue(problems.stream().anyMatch(p -> p.contains(field) && p.contains(text)), field + " / " + text + " in " + problems);
  }

  /** "stage/task:file", for readable assertions. */
  static final class ReportInputs {
    static String describe(ReportInput in) {
      return in.getStage() + "/" + in.getTask() + ":" + in.getFile() + ":" + in.getKind();
    }
  }

  private static DeclaredOutput declared(String path, OutputKind kind) {
    return new DeclaredOutput(path, kind.wireName(), 1L, "0".repeat(64));
  }
}
