package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.bus.task.PretrainTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints in (pretrain's init, evaluate's checkpoints) and zero-shot, as the planners read them. */
class CheckpointPlanningTest {

  @TempDir
  Path tmp;

  private static List<SpecProblem> validate(StagePlanner planner, String job) {
    JobSpec spec = JobSpecParser.parse(job, "test");
    SpecCheck check = new SpecCheck(Set.of("synth-scenes", "vit", "mci", "text-transformer", "linear", "grounded"));
    spec.stages().forEach(s -> {
      if (s.kind().equals(planner.kind())) {
        planner.validate(s, check);
      }
    });
    return check.problems();
  }

  private Path checkpoint(String dir, boolean tokenizer) throws Exception {
    Path folder = Files.createDirectories(tmp.resolve(dir));
    Path file = Files.writeString(folder.resolve("open_clip_model.safetensors"), "weights");
    if (tokenizer) {
      Files.writeString(folder.resolve("tokenizer.json"), "{}");
    }
    return file;
  }

  @Test
  void anInitThatNamesNoFileIsASubmissionErrorNamingTheFieldAndThePath() throws Exception {
    Path missing = tmp.resolve("nowhere/open_clip_model.safetensors");
    List<SpecProblem> pretrain = validate(new PretrainStagePlanner(), "name: j\nstages:\n"
        + "  - {name: p, kind: pretrain, init: " + missing + ", runs: [{name: r, objective: none}, {name: s, objective: none,"
        + " init: " + tmp + "}]}\n");
    assertProblem(pretrain, "stages[0].init", "no checkpoint file at " + missing);
    assertProblem(pretrain, "stages[0].runs[1].init", "a directory: name the .safetensors file in it");
    assertProblem(validate(new PretrainGangStagePlanner(), "name: j\nstages:\n  - {name: g, kind: pretrain-gang, init: "
        + missing + "}\n"), "stages[0].init", "no checkpoint file at " + missing);
  }

  @Test
  void aRunsInitOverridesTheStagesAndTravelsAsAnAbsolutePathInItsRunSpec() throws Exception {
    Path shared = checkpoint("shared", false);
    Path own = checkpoint("own", false);
    JobSpec job = JobSpecParser.parse("name: j\nstages:\n  - {name: data, kind: synth-data, pairs: 100, shardSize: 100}\n"
        + "  - {name: p, kind: pretrain, after: [data], init: " + shared + ", runs: [{name: a, objective: none},"
        + " {name: b, objective: mae, init: " + own + "}]}\n", "test");
    Map<String, TaskOutputs> data = Declared.synthData(plan(new SynthDataStagePlanner(), job, "data", Map.of()), "data");
    List<PlannedTask> tasks = plan(new PretrainStagePlanner(), job, "p", Map.of("data", data));
    assertEquals(shared.toString(), new JsonObject(((PretrainTask) tasks.get(0).payload()).getSpec()).getString("init"));
    assertEquals(own.toString(), new JsonObject(((PretrainTask) tasks.get(1).payload()).getSpec()).getString("init"));
  }

  private static final String EVALUATE_JOB = """
      name: j
      stages:
        - {name: data, kind: synth-data, pairs: 100, shardSize: 100, heldOut: 20, denseTrain: 8, denseTest: 8}
        - {name: curate, kind: curate, after: [data], sources: [grounded]}
        - name: p
          kind: pretrain
          after: [data, curate]
          runs: [{name: clip, captions: grounded}, {name: random, objective: none}]
        - name: e
          kind: evaluate
          after: [data, p]
          tasks: [segmentation]
          protocols: [frozen]
      """;

  private List<PlannedTask> evaluate(String extra) {
    JobSpec job = JobSpecParser.parse(EVALUATE_JOB + extra, "test");
    Map<String, TaskOutputs> data = Declared.synthData(plan(new SynthDataStagePlanner(), job, "data", Map.of()), "data");
    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), job, "p", Map.of("data", data, "curate",
        Declared.each(plan(new CurateStagePlanner(), job, "curate", Map.of("data", data)), "curate",
            OutputKind.CURATED_CAPTIONS, OutputKind.LOG)));
    return plan(new EvaluateStagePlanner(), job, "e", Map.of("data", data,
        "p", Declared.each(pretrain, "p", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT)));
  }

  @Test
  void zeroShotIsOneTaskPerClipRunOnTheDenseTestSplitWithItsClassesAndTemplates() {
    List<PlannedTask> tasks = evaluate("    zeroShot: {classes: [circle, square], templates: ['a {}.', 'a large {}']}\n");
    List<PlannedTask> zeroShot = tasks.stream().filter(t -> t.name().endsWith("-zeroshot")).toList();
    assertEquals(List.of("clip-s1-zeroshot"), zeroShot.stream().map(PlannedTask::name).toList(), "the none run has no text tower");
    EvaluateTask payload = (EvaluateTask) zeroShot.get(0).payload();
    assertEquals("zeroshot", payload.getProtocol());
    assertEquals(List.of(Declared.path("data", "dense-train", OutputKind.DENSE_FOLDER),
        Declared.path("data", "dense-test", OutputKind.DENSE_FOLDER)), payload.getData());
    JsonObject config = new JsonObject(payload.getConfig());
    assertEquals(List.of("circle", "square"), config.getJsonArray("classes").getList());
    assertEquals(List.of("a {}.", "a large {}"), config.getJsonArray("templates").getList());
    assertEquals(Set.of("vit", "text-transformer"), zeroShot.get(0).requiredPlugins());
    JsonObject defaults = new JsonObject(((EvaluateTask) evaluate("    zeroShot: true\n").stream()
        .filter(t -> t.name().endsWith("-zeroshot")).findFirst().orElseThrow().payload()).getConfig());
    assertEquals(List.of("a photo of a {}."), defaults.getJsonArray("templates").getList());
    assertTrue(!defaults.containsKey("classes"), "the dense set's classes");
    assertProblem(validate(new EvaluateStagePlanner(), EVALUATE_JOB + "    zeroShot: {templates: [a photo], labels: [x]}\n"),
        "stages[3].zeroShot.templates[0]", "has no {} for the class name");
    assertProblem(validate(new EvaluateStagePlanner(), EVALUATE_JOB + "    zeroShot: {templates: [a photo], labels: [x]}\n"),
        "stages[3].zeroShot.labels", "unknown zeroShot field");
  }

  @Test
  void checkpointsAreEvaluatedBesideTheRunsUnderTheirNames() throws Exception {
    Path file = checkpoint("laion", true);
    List<PlannedTask> tasks = evaluate("    zeroShot: true\n    checkpoints:\n"
        + "      - {name: openclip-b32, init: " + file + ", encoderConfig: {preset: vit-b-32}, textConfig: {preset: clip-base},"
        + " embedDim: 512, imageSize: 224}\n");
    List<String> names = tasks.stream().map(PlannedTask::name).filter(n -> n.startsWith("openclip-b32")).toList();
    assertEquals(List.of("openclip-b32-s1-frozen-segmentation-f1.0", "openclip-b32-s1-retrieval", "openclip-b32-s1-zeroshot"),
        names);
    for (PlannedTask t : tasks.stream().filter(t -> t.name().startsWith("openclip-b32")).toList()) {
      EvaluateTask payload = (EvaluateTask) t.payload();
      assertEquals(file.toString(), payload.getPretrained());
      JsonObject spec = new JsonObject(payload.getConfig()).getJsonObject("checkpoint");
      assertEquals(file.toString(), spec.getString("init"), t.name());
      assertEquals("vit-b-32", spec.getJsonObject("imageConfig").getString("preset"));
      assertEquals(512, spec.getInteger("embedDim"));
      assertEquals("clip", spec.getString("objective"));
    }
    // the runs' tasks carry no checkpoint
    EvaluateTask run = (EvaluateTask) tasks.stream().filter(t -> t.name().equals("clip-s1-retrieval")).findFirst().orElseThrow()
        .payload();
    assertTrue(!new JsonObject(run.getConfig()).containsKey("checkpoint"));
  }

  @Test
  void aCheckpointAloneNeedsNoPretrainStageAndWithoutATextTowerGetsTheDenseTasksOnly() throws Exception {
    Path file = checkpoint("visual-only", false);
    JobSpec job = JobSpecParser.parse("name: j\nstages:\n  - {name: data, kind: synth-data, pairs: 100, shardSize: 100,"
        + " heldOut: 20}\n  - {name: e, kind: evaluate, after: [data], tasks: [depth], protocols: [frozen], zeroShot: true,"
        + " checkpoints: [{name: tower, init: " + file + ", text: none}]}\n", "test");
    Map<String, TaskOutputs> data = Declared.synthData(plan(new SynthDataStagePlanner(), job, "data", Map.of()), "data");
    List<PlannedTask> tasks = plan(new EvaluateStagePlanner(), job, "e", Map.of("data", data));
    assertEquals(List.of("tower-s1-frozen-depth-f1.0"), tasks.stream().map(PlannedTask::name).toList());
    assertEquals(Set.of("vit", "linear"), tasks.get(0).requiredPlugins());
    assertEquals("none", new JsonObject(((EvaluateTask) tasks.get(0).payload()).getConfig()).getJsonObject("checkpoint")
        .getString("objective"));
  }

  @Test
  void checkpointErrorsNameTheirField() throws Exception {
    Path noTokenizer = checkpoint("no-tokenizer", false);
    List<SpecProblem> problems = validate(new EvaluateStagePlanner(), EVALUATE_JOB + "    checkpoints:\n"
        + "      - {name: a, init: " + noTokenizer + "}\n      - {name: a, init: " + tmp.resolve("missing.safetensors")
        + ", encoder: clip-vit}\n      - {init: " + noTokenizer + ", layers: 3}\n");
    assertProblem(problems, "stages[3].checkpoints[0].text", "needs its tokenizer: none beside " + noTokenizer);
    assertProblem(problems, "stages[3].checkpoints[1].name", "listed twice");
    assertProblem(problems, "stages[3].checkpoints[1].init", "no checkpoint file at " + tmp.resolve("missing.safetensors"));
    assertProblem(problems, "stages[3].checkpoints[1].encoder", "unknown plugin 'clip-vit'");
    assertProblem(problems, "stages[3].checkpoints[2].name", "is required");
    Path file = checkpoint("named-like-a-run", true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> evaluate("    checkpoints: [{name: clip, init: " + file + "}]\n"));
    assertTrue(e.getMessage().contains("also the name of a run"), e.getMessage());
  }
}
