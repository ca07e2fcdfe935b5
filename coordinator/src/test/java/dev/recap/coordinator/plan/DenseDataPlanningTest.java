package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.DenseDataTask;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dense-data} stage (a benchmark's folder checked at submission, one indexing task per
 * split) and the evaluate stage taking its dense tasks from dense-data stages through their
 * declared {@code dense-index} outputs.
 */
class DenseDataPlanningTest {

  @TempDir
  Path dir;

  private Path ade() throws Exception {
    Path root = dir.resolve("ADEChallengeData2016");
    for (String f : List.of("images/training", "images/validation", "annotations/training", "annotations/validation")) {
      Files.createDirectories(root.resolve(f));
    }
    return root;
  }

  private Path nyu() throws Exception {
    Path root = dir.resolve("nyu_depth_v2");
    Files.createDirectories(root.resolve("sync"));
    Files.createDirectories(root.resolve("official_splits/test"));
    return root;
  }

  private static List<SpecProblem> validate(String yaml) {
    JobSpec job = JobSpecParser.parse(yaml, "test");
    SpecCheck check = new SpecCheck(Set.of("synth-scenes", "vit", "linear"));
    StagePlanners planners = new StagePlanners().register(new SynthDataStagePlanner()).register(new DenseDataStagePlanner())
        .register(new PretrainStagePlanner()).register(new EvaluateStagePlanner());
    for (StageSpec stage : job.stages()) {
      planners.get(stage.kind()).validate(stage, job, check);
    }
    return check.problems();
  }

  private static String stage(String body) {
    return "name: j\nstages:\n  - " + body + "\n";
  }

  @Test
  void aMissingFolderAnUnknownFormatOrAnotherLayoutIsASubmissionErrorNamingFieldAndPath() throws Exception {
    Path nowhere = dir.resolve("no-such-folder");
    assertProblem(validate(stage("{name: ade, kind: dense-data, format: ade20k, root: '" + nowhere + "'}")),
        "stages[0].root", "no folder at " + nowhere);
    assertProblem(validate(stage("{name: ade, kind: dense-data, format: cityscapes, root: '" + ade() + "'}")),
        "stages[0].format", "must be one of [ade20k, nyuv2], got 'cityscapes'");
    assertProblem(validate(stage("{name: ade, kind: dense-data, root: '" + ade() + "'}")), "stages[0].format", "is required");
    assertProblem(validate(stage("{name: ade, kind: dense-data, format: ade20k}")), "stages[0].root", "is required");
    // an ADE20k folder given as NYUv2: its layout names what is missing
    assertProblem(validate(stage("{name: nyu, kind: dense-data, format: nyuv2, root: '" + ade() + "'}")),
        "stages[0].root", "missing [sync, official_splits/test]");
    assertProblem(validate(stage("{name: ade, kind: dense-data, format: ade20k, root: '" + ade() + "', testLimit: 0}")),
        "stages[0].testLimit", "between 1 and");
    assertProblem(validate(stage("{name: ade, kind: dense-data, format: ade20k, root: '" + ade() + "', limit: 5}")),
        "stages[0].limit", "unknown parameter");
    assertTrue(validate(stage("{name: ade, kind: dense-data, format: ade20k, root: '" + ade() + "', trainLimit: 100}")).isEmpty());
  }

  @Test
  void oneIndexingTaskPerSplitWithTheRootAbsoluteAndTheLimits() throws Exception {
    JobSpec job = JobSpecParser.parse(stage("{name: nyu, kind: dense-data, format: nyuv2, root: '" + nyu() + "', testLimit: 50}"),
        "test");
    List<PlannedTask> tasks = plan(new DenseDataStagePlanner(), job, "nyu", Map.of());
    assertEquals(List.of("train", "test"), tasks.stream().map(PlannedTask::name).toList());
    DenseDataTask train = (DenseDataTask) tasks.get(0).payload();
    DenseDataTask test = (DenseDataTask) tasks.get(1).payload();
    assertEquals("nyuv2", train.getFormat());
    assertEquals(nyu().toString(), train.getRoot());
    assertEquals(0, train.getLimit(), "no limit: every pair");
    assertEquals(50, test.getLimit());
    assertTrue(tasks.get(0).requiredPlugins().isEmpty());
  }

  @Test
  void aRelativeRootResolvesAgainstTheSpecFilesFolder() throws Exception {
    ade();
    String yaml = stage("{name: ade, kind: dense-data, format: ade20k, root: ADEChallengeData2016}");
    JobSpec fromFile = JobSpecParser.parse(yaml, "bench.yaml", dir);
    SpecCheck check = new SpecCheck(Set.of());
    new DenseDataStagePlanner().validate(fromFile.stages().get(0), fromFile, check);
    assertTrue(check.problems().isEmpty(), check.problems().toString());
    DenseDataTask train = (DenseDataTask) plan(new DenseDataStagePlanner(), fromFile, "ade", Map.of()).get(0).payload();
    assertEquals(dir.resolve("ADEChallengeData2016").toString(), train.getRoot());
    // pasted into the console: no folder to resolve against
    assertProblem(validate(yaml), "stages[0].root", "is a relative path, but this spec came from no file");
  }

  @Test
  void aFolderThatVanishedBeforePlanningFailsThePlanNamingIt() throws Exception {
    Path root = ade();
    JobSpec job = JobSpecParser.parse(stage("{name: ade, kind: dense-data, format: ade20k, root: '" + root + "'}"), "test");
    Files.delete(root.resolve("annotations/validation"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> plan(new DenseDataStagePlanner(), job, "ade", Map.of()));
    assertTrue(e.getMessage().contains("annotations/validation") && e.getMessage().contains("stages[0].root"), e.getMessage());
  }

  private String experiment(String evaluateAfter, String tasks) throws Exception {
    return """
        name: exp
        stages:
          - {name: data, kind: synth-data, pairs: 100, shardSize: 100, heldOut: 10, denseTrain: 20, denseTest: 10}
          - {name: ade, kind: dense-data, format: ade20k, root: '%s'}
          - {name: nyu, kind: dense-data, format: nyuv2, root: '%s'}
          - name: pretrain
            kind: pretrain
            after: [data]
            runs: [{name: vit-random, objective: none, encoder: vit}]
          - name: evaluate
            kind: evaluate
            after: %s
            tasks: %s
            retrieval: false
            protocols: [frozen]
        """.formatted(ade(), nyu(), evaluateAfter, tasks);
  }

  @Test
  void evaluateRefusesADenseTaskNoDenseDataStageServes() throws Exception {
    assertProblem(validate(experiment("[data, pretrain, ade]", "[segmentation, depth]")), "stages[4].tasks[1]",
        "no dense-data stage in 'after' has depth data [ade (ade20k: segmentation)]: add a dense-data stage with format nyuv2");
    assertTrue(validate(experiment("[data, pretrain, ade]", "[segmentation]")).isEmpty());
    assertTrue(validate(experiment("[data, pretrain, ade, nyu]", "[segmentation, depth]")).isEmpty());
    assertTrue(validate(experiment("[data, pretrain]", "[segmentation, depth]")).isEmpty(), "synth-data serves both");
  }

  @Test
  void evaluateTakesEachDenseTaskFromTheDenseIndexesItsBenchmarkDeclared() throws Exception {
    JobSpec job = JobSpecParser.parse(experiment("[data, pretrain, ade, nyu]", "[segmentation, depth]"), "test");
    List<PlannedTask> data = plan(new SynthDataStagePlanner(), job, "data", Map.of());
    Map<String, TaskOutputs> dataOut = Declared.synthData(data, "data");
    Map<String, TaskOutputs> adeOut = Declared.each(plan(new DenseDataStagePlanner(), job, "ade", Map.of()), "ade",
        OutputKind.DENSE_INDEX);
    Map<String, TaskOutputs> nyuOut = Declared.each(plan(new DenseDataStagePlanner(), job, "nyu", Map.of()), "nyu",
        OutputKind.DENSE_INDEX);
    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), job, "pretrain", Map.of("data", dataOut));
    Map<String, Map<String, TaskOutputs>> deps = new LinkedHashMap<>();
    deps.put("data", dataOut);
    deps.put("ade", adeOut);
    deps.put("nyu", nyuOut);
    deps.put("pretrain", Declared.each(pretrain, "pretrain", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT));
    Map<String, EvaluateTask> byName = new LinkedHashMap<>();
    plan(new EvaluateStagePlanner(), job, "evaluate", deps).forEach(t -> byName.put(t.name(), (EvaluateTask) t.payload()));
    assertEquals(List.of(Declared.path("ade", "train", OutputKind.DENSE_INDEX), Declared.path("ade", "test", OutputKind.DENSE_INDEX)),
        byName.get("vit-random-s1-frozen-segmentation-f1.0").getData());
    assertEquals(List.of(Declared.path("nyu", "train", OutputKind.DENSE_INDEX), Declared.path("nyu", "test", OutputKind.DENSE_INDEX)),
        byName.get("vit-random-s1-frozen-depth-f1.0").getData());

    // a dense-data stage that declared no index (a worker of another version) fails planning, naming the kind
    deps.put("nyu", Declared.each(plan(new DenseDataStagePlanner(), job, "nyu", Map.of()), "nyu", OutputKind.MANIFEST));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> plan(new EvaluateStagePlanner(), job, "evaluate", deps));
    assertTrue(e.getMessage().contains("stage 'nyu' declared no dense-index output"), e.getMessage());
  }
}
