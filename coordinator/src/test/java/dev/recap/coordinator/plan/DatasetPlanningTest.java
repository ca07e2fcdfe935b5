package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.CurateTask;
import dev.recap.bus.task.DatasetTask;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.bus.task.PretrainTask;
import dev.recap.bus.task.TrainCaptionerTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code dataset} stage in place of {@code synth-data}: its patterns checked at submission with
 * the path in the message, the captioners that work on it, and every downstream planner reading
 * the shards its task declared (not file names rebuilt by convention).
 */
class DatasetPlanningTest {

  @TempDir
  Path dir;

  static final Set<String> PLUGINS = Set.of("vit", "text-transformer", "alt-text", "grounded", "learned", "linear");

  static String job(String data) {
    return """
        name: own
        stages:
          - %s
          - {name: captioner, kind: train-captioner, after: [data], config: {encoder: vit}}
          - {name: curate, kind: curate, after: [data, captioner], sources: [learned, alt-text]}
          - name: pretrain
            kind: pretrain
            after: [data, curate]
            runs: [{name: clip-learned, captions: learned}, {name: mae, objective: mae}]
          - {name: evaluate, kind: evaluate, after: [data, pretrain], protocols: []}
        """.formatted(data);
  }

  private List<SpecProblem> validate(String yaml) {
    JobSpec job = JobSpecParser.parse(yaml, "own.yaml", dir);
    SpecCheck check = new SpecCheck(PLUGINS);
    StagePlanners planners = StagePlanners.fromClassPath();
    for (var stage : job.stages()) {
      planners.get(stage.kind()).validate(stage, job, check);
    }
    return check.problems();
  }

  private void shards(int n) throws Exception {
    Files.createDirectories(dir.resolve("shards"));
    for (int i = 0; i < n; i++) {
      Files.write(dir.resolve("shards").resolve(String.format("%05d.tar", i)), new byte[] {0});
    }
  }

  @Test
  void aValidDatasetJobPassesAndPlansOneScanOfTheResolvedShards() throws Exception {
    shards(3);
    String yaml = job("{name: data, kind: dataset, shards: 'shards/{00000..00002}.tar', heldOut: 16,"
        + " referenceCaption: json:trusted}");
    assertEquals(List.of(), validate(yaml));
    JobSpec job = JobSpecParser.parse(yaml, "own.yaml", dir);
    List<PlannedTask> tasks = plan(new DatasetStagePlanner(), job, "data", Map.of());
    assertEquals(1, tasks.size());
    DatasetTask t = (DatasetTask) tasks.get(0).payload();
    assertEquals(List.of(dir.resolve("shards/00000.tar").toString(), dir.resolve("shards/00001.tar").toString(),
        dir.resolve("shards/00002.tar").toString()), t.getShards());
    assertEquals(16, t.getHeldOut());
    assertEquals("txt", t.getCaption());
    assertEquals("json:trusted", t.getReferenceCaption());
  }

  @Test
  void aPatternThatMatchesNothingFailsTheSubmissionNamingThePath() throws Exception {
    shards(1);
    List<SpecProblem> problems = validate(job("{name: data, kind: dataset, shards: 'shard/*.tar', heldOut: 4,"
        + " referenceCaption: json:trusted}"));
    assertProblem(problems, "stages[0].shards", "matches no file: looked for " + dir.resolve("shard/*.tar"));
  }

  @Test
  void groundedOnADatasetIsASubmissionErrorNamingTheUsableCaptioners() throws Exception {
    shards(1);
    String yaml = job("{name: data, kind: dataset, shards: shards/00000.tar, heldOut: 4, referenceCaption: json:trusted}")
        .replace("sources: [learned, alt-text]", "sources: [alt-text, grounded]");
    assertProblem(validate(yaml), "stages[2].sources[1]", "captioner 'grounded' captions from object annotations, which the pairs"
        + " of stage 'data' (kind dataset) do not have; captioners that work on them: alt-text, learned");
  }

  @Test
  void whatADatasetMustProvideForTheStagesAfterIt() throws Exception {
    shards(1);
    List<SpecProblem> problems = validate(job("{name: data, kind: dataset, shards: shards/00000.tar}"));
    assertProblem(problems, "stages[1].after", "names no referenceCaption");
    assertProblem(problems, "stages[4].retrieval", "keeps none out of training: set its heldOut");
    assertProblem(validate(job("{name: data, kind: dataset, shards: shards/00000.tar, heldOut: 3, heldOutShards: shards/*.tar,"
        + " caption: text, referenceCaption: txt}")), "stages[0].heldOut", "not both");
    List<SpecProblem> fields = validate(job("{name: data, kind: dataset, shards: shards/00000.tar, heldOut: 3, caption: text,"
        + " referenceCaption: txt}"));
    assertProblem(fields, "stages[0].caption", "must be txt (key.txt) or json:<field>");
    assertProblem(fields, "stages[0].referenceCaption", "must be json:<field>");
  }

  /** What a dataset task declares and reports: two training shards, a held-out and a reference shard. */
  private static Map<String, TaskOutputs> scanned() {
    List<DeclaredOutput> declared = new ArrayList<>();
    List<String> paths = List.of("/art/own/data/t0.tar", "/art/own/data/t1.tar", "/art/own/data/h.tar", "/art/own/data/r.tar");
    paths.forEach(p -> declared.add(new DeclaredOutput(p, OutputKind.PAIRS_SHARD.wireName(), 10L, "0".repeat(64))));
    declared.add(new DeclaredOutput("/art/own/data/result.json", OutputKind.DATA_SUMMARY.wireName(), 10L, "0".repeat(64)));
    JsonObject result = new JsonObject().put("outputs", new JsonObject()
        .put("train", new JsonArray().add(paths.get(0)).add(paths.get(1)))
        .put("heldOut", new JsonArray().add(paths.get(2))).put("reference", new JsonArray().add(paths.get(3))));
    return Map.of(DatasetStagePlanner.TASK, new TaskOutputs(declared, result.encode()));
  }

  @Test
  void everyStageAfterADatasetReadsTheShardsItsTaskDeclared() throws Exception {
    shards(1);
    JobSpec job = JobSpecParser.parse(job("{name: data, kind: dataset, shards: shards/00000.tar, heldOut: 4,"
        + " referenceCaption: json:trusted}"), "own.yaml", dir);
    Map<String, Map<String, TaskOutputs>> deps = new LinkedHashMap<>();
    deps.put("data", scanned());
    TrainCaptionerTask captioner = (TrainCaptionerTask) plan(new TrainCaptionerStagePlanner(), job, "captioner", deps).get(0).payload();
    assertEquals(List.of("/art/own/data/r.tar"), captioner.getReferenceShards());
    assertEquals("quality", captioner.getReferenceCaption());

    deps.put("captioner", Map.of("captioner", Declared.task("captioner", "captioner", OutputKind.CAPTIONER_STATE)));
    List<PlannedTask> curate = plan(new CurateStagePlanner(), job, "curate", deps);
    assertEquals(List.of("learned-00000", "learned-00001", "alt-text-00000", "alt-text-00001"),
        curate.stream().map(PlannedTask::name).toList());
    assertEquals("/art/own/data/t1.tar", ((CurateTask) curate.get(1).payload()).getShard());

    deps.put("curate", Declared.each(curate, "curate", OutputKind.CURATED_CAPTIONS));
    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), job, "pretrain", deps);
    assertEquals(List.of("/art/own/data/t0.tar", "/art/own/data/t1.tar"), ((PretrainTask) pretrain.get(0).payload()).getShards());

    deps.put("pretrain", Declared.each(pretrain, "pretrain", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT));
    List<PlannedTask> evaluate = plan(new EvaluateStagePlanner(), job, "evaluate", deps);
    assertEquals(List.of("clip-learned-s1-retrieval"), evaluate.stream().map(PlannedTask::name).toList());
    assertEquals(List.of("/art/own/data/h.tar"), ((EvaluateTask) evaluate.get(0).payload()).getData());
  }

  @Test
  void aGangTrainsOnTheDatasetsTrainingShards() throws Exception {
    shards(1);
    JobSpec job = JobSpecParser.parse("""
        name: own-gang
        stages:
          - {name: data, kind: dataset, shards: shards/00000.tar, heldOut: 4}
          - {name: gang, kind: pretrain-gang, after: [data], workers: 2}
        """, "own.yaml", dir);
    assertEquals(List.of(), validate(job.yaml()));
    List<PlannedTask> slots = plan(new PretrainGangStagePlanner(), job, "gang", Map.of("data", scanned()));
    assertEquals(2, slots.size());
    assertEquals(List.of("/art/own/data/t0.tar", "/art/own/data/t1.tar"),
        ((dev.recap.bus.task.PretrainGangTask) slots.get(0).payload()).getShards());
  }

  @Test
  void aShardListedInTheResultButNotDeclaredFailsPlanning() throws Exception {
    shards(1);
    JobSpec job = JobSpecParser.parse(job("{name: data, kind: dataset, shards: shards/00000.tar, heldOut: 4,"
        + " referenceCaption: json:trusted}"), "own.yaml", dir);
    TaskOutputs task = scanned().get(DatasetStagePlanner.TASK);
    TaskOutputs undeclared = new TaskOutputs(task.declared().subList(1, task.declared().size()), task.result());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(new PretrainStagePlanner(), job, "pretrain",
        Map.of("data", Map.of(DatasetStagePlanner.TASK, undeclared), "curate", Map.of())));
    assertTrue(e.getMessage().contains("/art/own/data/t0.tar") && e.getMessage().contains("did not declare it"), e.getMessage());
  }

  @Test
  void theOwnDataExampleIsValidBesideTheShardsItNames() throws Exception {
    String yaml = Files.readString(Path.of("src/main/dist/examples/own-data.yaml"));
    Files.createDirectories(dir.resolve("my-dataset"));
    assertProblem(validate(yaml), "stages[0].shards", "matches no file: looked for " + dir.resolve("my-dataset/{00000..00009}.tar"));
    for (int i = 0; i < 10; i++) {
      Files.write(dir.resolve("my-dataset").resolve(String.format("%05d.tar", i)), new byte[] {0});
    }
    assertEquals(List.of(), validate(yaml));
  }
}
