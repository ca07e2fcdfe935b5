package dev.recap.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.CurateTask;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.bus.task.PretrainTask;
import dev.recap.bus.task.SynthDataTask;
import dev.recap.bus.task.TrainCaptionerTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The experiment's stage planners: task counts and names, payloads, and errors naming the field. */
class ExperimentPlannersTest {

  static final String JOB = """
      name: exp
      seed: 9
      stages:
        - {name: data, kind: synth-data, pairs: 1000, shardSize: 300, referenceFraction: 0.05, heldOut: 50, denseTrain: 40, denseTest: 10}
        - {name: captioner, kind: train-captioner, after: [data], config: {encoder: vit, steps: 5}}
        - {name: curate, kind: curate, after: [data], sources: [alt-text, grounded]}
        - {name: recaption, kind: curate, after: [data, captioner], sources: [learned]}
        - name: pretrain
          kind: pretrain
          after: [data, curate, recaption]
          seeds: [1, 2]
          runs:
            - {name: vit-alt, captions: alt-text}
            - {name: vit-learned, captions: learned, curatedProbability: 0.8}
            - {name: mae, objective: mae}
            - {name: random, objective: none, encoder: mci, encoderConfig: {preset: mci-tiny}}
        - name: evaluate
          kind: evaluate
          after: [data, pretrain]
          finetune: {fractions: [0.1, 0.5, 1.0], epochs: 1}
      """;

  final JobSpec job = JobSpecParser.parse(JOB, "test");

  static List<PlannedTask> plan(StagePlanner planner, JobSpec job, String stage, Map<String, Map<String, TaskOutputs>> deps) {
    return planner.plan(job.stage(stage).orElseThrow(), new PlanningInput("job-1", job, deps));
  }

  List<PlannedTask> data() {
    return plan(new SynthDataStagePlanner(), job, "data", Map.of());
  }

  @Test
  void synthDataCutsPairsIntoShardsAndKeepsEveryPartDisjoint() {
    List<PlannedTask> tasks = data();
    assertEquals(List.of("pairs-00000", "pairs-00001", "pairs-00002", "pairs-00003", "reference-00000", "heldout-00000",
        "dense-train", "dense-test"), tasks.stream().map(PlannedTask::name).toList());
    SynthDataTask last = (SynthDataTask) tasks.get(3).payload();
    assertEquals(900, last.getFrom());
    assertEquals(1000, last.getTo());
    SynthDataTask reference = (SynthDataTask) tasks.get(4).payload();
    assertEquals(0, reference.getFrom());
    assertEquals(50, reference.getTo(), "5% of 1000 pairs");
    assertEquals(1000, ((SynthDataTask) tasks.get(5).payload()).getFrom(), "held-out pairs follow the training pairs");
    assertEquals(1050, ((SynthDataTask) tasks.get(6).payload()).getFrom());
    assertEquals(1090, ((SynthDataTask) tasks.get(7).payload()).getFrom());
    for (PlannedTask t : tasks) {
      assertEquals(9, ((SynthDataTask) t.payload()).getDataSeed(), "one generator seed (the job's) for every part");
      assertEquals(Set.of("synth-scenes"), t.requiredPlugins());
    }
  }

  @Test
  void pipelinePlansEveryStageFromTheOutputsOfItsAfterStages() {
    List<PlannedTask> data = data();
    Map<String, TaskOutputs> dataOut = Declared.synthData(data, "data");
    List<PlannedTask> captioner = plan(new TrainCaptionerStagePlanner(), job, "captioner", Map.of("data", dataOut));
    assertEquals(1, captioner.size());
    assertEquals(List.of(Declared.path("data", "reference-00000", OutputKind.PAIRS_SHARD)),
        ((TrainCaptionerTask) captioner.get(0).payload()).getReferenceShards());
    assertEquals(Set.of("learned", "vit"), captioner.get(0).requiredPlugins());

    List<PlannedTask> curate = plan(new CurateStagePlanner(), job, "curate", Map.of("data", dataOut));
    assertEquals(8, curate.size(), "2 sources x 4 shards");
    assertEquals("grounded-00003", curate.get(7).name());
    assertNull(((CurateTask) curate.get(0).payload()).getState());
    List<PlannedTask> recaption = plan(new CurateStagePlanner(), job, "recaption",
        Map.of("data", dataOut, "captioner", Declared.each(captioner, "captioner", OutputKind.CAPTIONER_STATE, OutputKind.MANIFEST)));
    assertEquals(4, recaption.size());
    CurateTask learned = (CurateTask) recaption.get(0).payload();
    assertEquals(Declared.path("captioner", "captioner", OutputKind.CAPTIONER_STATE), learned.getState());
    assertEquals(Declared.path("data", "pairs-00000", OutputKind.PAIRS_SHARD), learned.getShard());
    assertTrue(learned.getConfig().contains("\"encoder\":\"vit\""), "the curate task captions with the trained configuration");

    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), job, "pretrain", Map.of("data", dataOut,
        "curate", Declared.each(curate, "curate", OutputKind.CURATED_CAPTIONS, OutputKind.LOG),
        "recaption", Declared.each(recaption, "recaption", OutputKind.CURATED_CAPTIONS, OutputKind.LOG)));
    assertEquals(List.of("vit-alt-s1", "vit-alt-s2", "vit-learned-s1", "vit-learned-s2", "mae-s1", "mae-s2", "random-s1", "random-s2"),
        pretrain.stream().map(PlannedTask::name).toList());
    PretrainTask alt = (PretrainTask) pretrain.get(0).payload();
    assertEquals(4, alt.getShards().size());
    assertEquals(4, alt.getSidecars().size());
    assertEquals(Declared.path("curate", "alt-text-00000", OutputKind.CURATED_CAPTIONS), alt.getSidecars().get(0));
    assertEquals(Declared.path("data", "pairs-00003", OutputKind.PAIRS_SHARD), alt.getShards().get(3));
    assertTrue(alt.getSidecars().stream().allMatch(s -> s.contains("_curate_alt-text-")), alt.getSidecars().toString());
    PretrainTask learnedRun = (PretrainTask) pretrain.get(2).payload();
    assertTrue(learnedRun.getSidecars().stream().allMatch(s -> s.contains("_recaption_learned-")));
    assertTrue(learnedRun.getSpec().contains("\"curatedProbability\":0.8"), learnedRun.getSpec());
    assertEquals(Set.of("vit", "text-transformer"), pretrain.get(0).requiredPlugins());
    assertEquals(Set.of("mci"), pretrain.get(6).requiredPlugins());
    assertTrue(((PretrainTask) pretrain.get(4).payload()).getSidecars().isEmpty());
    assertEquals(50, alt.getCheckpointEvery(), "a retried pretrain task resumes from checkpoints by default");

    List<PlannedTask> evaluate = plan(new EvaluateStagePlanner(), job, "evaluate",
        Map.of("data", dataOut, "pretrain",
            Declared.each(pretrain, "pretrain", OutputKind.TRAINED_RUN, OutputKind.LOSS_CURVE, OutputKind.RUN_RESULT)));
    // 8 (run x seed) x 2 tasks x (frozen 1 + finetune 3 fractions) + retrieval for the 4 clip (run x seed)
    assertEquals(8 * 2 * 4 + 4, evaluate.size());
    assertEquals(4, evaluate.stream().filter(t -> t.name().endsWith("-retrieval")).count());
    assertTrue(evaluate.stream().anyMatch(t -> t.name().equals("vit-alt-s2-finetune-depth-f0.5")));
    EvaluateTask retrieval = (EvaluateTask) evaluate.stream().filter(t -> t.name().equals("vit-learned-s1-retrieval")).findFirst()
        .orElseThrow().payload();
    assertEquals(List.of(Declared.path("data", "heldout-00000", OutputKind.PAIRS_SHARD)), retrieval.getData());
    assertEquals(Declared.path("pretrain", "vit-learned-s1", OutputKind.TRAINED_RUN), retrieval.getPretrained());
    EvaluateTask dense = (EvaluateTask) evaluate.get(0).payload();
    assertEquals(List.of(Declared.path("data", "dense-train", OutputKind.DENSE_FOLDER),
        Declared.path("data", "dense-test", OutputKind.DENSE_FOLDER)), dense.getData());
    assertEquals(Set.of("vit", "linear"), evaluate.get(0).requiredPlugins());
    JsonObject probe = new JsonObject(((EvaluateTask) evaluate.stream()
        .filter(t -> t.name().equals("vit-alt-s1-frozen-depth-f1.0")).findFirst().orElseThrow().payload()).getConfig());
    assertEquals(40, probe.getInteger("epochs"), "the frozen probe's default schedule: 40 passes, cheap on cached features");
    assertEquals(1e-2, probe.getDouble("headLearningRate"));
    assertNull(probe.getValue("steps"), "no step count unless one is given");
    JsonObject tune = new JsonObject(((EvaluateTask) evaluate.stream()
        .filter(t -> t.name().equals("vit-alt-s1-finetune-depth-f0.1")).findFirst().orElseThrow().payload()).getConfig());
    assertEquals(1, tune.getInteger("epochs"), "as the spec says; the evaluator counts its steps from the whole split");
  }

  @Test
  void aProtocolsRunsListLimitsItToThoseRunsAndAnUnknownNameIsRefused() {
    JobSpec limited = JobSpecParser.parse(JOB.replace("finetune: {fractions: [0.1, 0.5, 1.0], epochs: 1}",
        "finetune: {fractions: [0.1, 1.0], epochs: 1, runs: [vit-alt, random]}"), "test");
    Map<String, TaskOutputs> dataOut = Declared.synthData(data(), "data");
    List<PlannedTask> captioner = plan(new TrainCaptionerStagePlanner(), limited, "captioner", Map.of("data", dataOut));
    List<PlannedTask> curate = plan(new CurateStagePlanner(), limited, "curate", Map.of("data", dataOut));
    List<PlannedTask> recaption = plan(new CurateStagePlanner(), limited, "recaption",
        Map.of("data", dataOut, "captioner", Declared.each(captioner, "captioner", OutputKind.CAPTIONER_STATE, OutputKind.MANIFEST)));
    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), limited, "pretrain", Map.of("data", dataOut,
        "curate", Declared.each(curate, "curate", OutputKind.CURATED_CAPTIONS, OutputKind.LOG),
        "recaption", Declared.each(recaption, "recaption", OutputKind.CURATED_CAPTIONS, OutputKind.LOG)));
    List<PlannedTask> evaluate = plan(new EvaluateStagePlanner(), limited, "evaluate", Map.of("data", dataOut, "pretrain",
        Declared.each(pretrain, "pretrain", OutputKind.TRAINED_RUN, OutputKind.LOSS_CURVE, OutputKind.RUN_RESULT)));
    List<String> finetuned = evaluate.stream().map(PlannedTask::name).filter(n -> n.contains("-finetune-")).toList();
    // 2 runs x 2 seeds x 2 tasks x 2 fractions; the frozen probe and retrieval still see every run
    assertEquals(16, finetuned.size(), finetuned.toString());
    assertTrue(finetuned.stream().allMatch(n -> n.startsWith("vit-alt-") || n.startsWith("random-")), finetuned.toString());
    assertEquals(8 * 2, evaluate.stream().filter(t -> t.name().contains("-frozen-")).count());
    assertEquals(4, evaluate.stream().filter(t -> t.name().endsWith("-retrieval")).count());

    JobSpec unknown = JobSpecParser.parse(JOB.replace("finetune: {fractions: [0.1, 0.5, 1.0], epochs: 1}",
        "finetune: {runs: [vit-alt, vit-grounded]}"), "test");
    SpecCheck check = new SpecCheck(Set.of("synth-scenes", "vit", "mci", "text-transformer", "linear", "alt-text", "grounded", "learned"));
    new EvaluateStagePlanner().validate(unknown.stage("evaluate").orElseThrow(), unknown, check);
    assertProblem(check.problems(), "stages[5].finetune.runs[1]", "no run or checkpoint named 'vit-grounded'");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {runs: []}}"), "stages[0].frozen.runs",
        "non-empty list of run names");
  }

  @Test
  void aProbeScheduleIsEpochsOrStepsNotBoth() {
    assertTrue(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {steps: 2000}}").isEmpty());
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, finetune: {epochs: 2, steps: 100}}"),
        "stages[0].finetune.steps", "not both");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {steps: 0}}"),
        "stages[0].frozen.steps", "between");
  }

  static List<SpecProblem> validate(StagePlanner planner, String stageYaml) {
    JobSpec spec = JobSpecParser.parse("name: v\nstages:\n  - " + stageYaml + "\n", "test");
    SpecCheck check = new SpecCheck(Set.of("synth-scenes", "vit", "mci", "text-transformer", "linear", "alt-text", "grounded", "learned"));
    StageSpec stage = spec.stages().get(0);
    planner.validate(stage, check);
    return check.problems();
  }

  static void assertProblem(List<SpecProblem> problems, String field, String fragment) {
    assertTrue(problems.stream().anyMatch(p -> p.field().equals(field) && p.message().contains(fragment)),
        "expected a problem at " + field + " containing '" + fragment + "', got " + problems);
  }

  @Test
  void validationErrorsNameTheField() {
    assertProblem(validate(new SynthDataStagePlanner(), "{name: d, kind: synth-data, referenceFraction: 2}"),
        "stages[0].referenceFraction", "between 0.0 and 1.0");
    assertProblem(validate(new SynthDataStagePlanner(), "{name: d, kind: synth-data, pairz: 5}"), "stages[0].pairz", "unknown parameter");
    assertProblem(validate(new SynthDataStagePlanner(), "{name: d, kind: synth-data, source: imagenet}"), "stages[0].source", "unknown plugin");
    assertProblem(validate(new CurateStagePlanner(), "{name: c, kind: curate}"), "stages[0].sources", "is required");
    assertProblem(validate(new CurateStagePlanner(), "{name: c, kind: curate, sources: [grounded, blip]}"), "stages[0].sources[1]",
        "unknown plugin 'blip'");
    assertProblem(validate(new CurateStagePlanner(), "{name: c, kind: curate, sources: [grounded], configs: {learned: {}}}"),
        "stages[0].configs.learned", "not one of the sources");
    assertProblem(validate(new TrainCaptionerStagePlanner(), "{name: t, kind: train-captioner, config: {encoder: resnet}}"),
        "stages[0].config.encoder", "unknown plugin 'resnet'");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain}"), "stages[0].runs", "is required");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, runs: [{name: a}]}"), "stages[0].runs[0].captions",
        "is required for a clip run");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, runs: [{name: a, objective: simclr}]}"),
        "stages[0].runs[0].objective", "clip, mae, none");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, runs: [{name: a, objective: mae, epoch: 3}]}"),
        "stages[0].runs[0].epoch", "unknown run field");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, seeds: [1, 1], runs: [{name: a, objective: none}]}"),
        "stages[0].seeds[1]", "listed twice");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, checkpointEvery: -1, runs: [{name: a, objective: none}]}"),
        "stages[0].checkpointEvery", "must be between 0 and");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, tasks: [segmentation, normals]}"), "stages[0].tasks[1]",
        "must be one of");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, finetune: {fractions: [0.1, 1.5]}}"),
        "stages[0].finetune.fractions[1]", "between");
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, frozen: {head: upernet}}"), "stages[0].frozen.head",
        "unknown plugin 'upernet'");
  }

  @Test
  void aPlannerAskingForAKindTheStageDidNotDeclareFailsNamingStageKindAndWhatWasDeclared() {
    List<PlannedTask> data = data();
    // a data stage whose tasks declared their manifests only (a worker from before declared outputs declares nothing)
    Map<String, TaskOutputs> manifestsOnly = Declared.each(data, "data", OutputKind.MANIFEST);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> plan(new CurateStagePlanner(), job, "curate", Map.of("data", manifestsOnly)));
    assertTrue(e.getMessage().contains("stage 'data' declared no pairs-shard output; its tasks declared [manifest]"), e.getMessage());

    Map<String, TaskOutputs> dataOut = Declared.synthData(data, "data");
    Map<String, TaskOutputs> pretrainWithoutModels = new LinkedHashMap<>();
    pretrainWithoutModels.put("vit-alt-s1", Declared.task("pretrain", "vit-alt-s1", OutputKind.RUN_RESULT, OutputKind.LOSS_CURVE));
    e = assertThrows(IllegalArgumentException.class, () -> plan(new EvaluateStagePlanner(), job, "evaluate",
        Map.of("data", dataOut, "pretrain", pretrainWithoutModels)));
    assertTrue(e.getMessage().contains("stage 'pretrain' declared no trained-run output; its tasks declared [run-result, loss-curve]"),
        e.getMessage());

    Map<String, TaskOutputs> nothing = Declared.each(data, "data");
    e = assertThrows(IllegalArgumentException.class,
        () -> plan(new TrainCaptionerStagePlanner(), job, "captioner", Map.of("data", nothing)));
    assertTrue(e.getMessage().contains("declared no pairs-shard output; its tasks declared nothing"), e.getMessage());
  }

  @Test
  void pretrainRunsAugmentAsOpenClipByDefaultAndARunOverridesTheStage() {
    JobSpec augmented = JobSpecParser.parse(JOB.replace("    seeds: [1, 2]\n",
        "    seeds: [1, 2]\n    augment: {flip: true}\n").replace(
        "{name: vit-learned, captions: learned, curatedProbability: 0.8}",
        "{name: vit-learned, captions: learned, curatedProbability: 0.8, augment: {minScale: 0.35}}"), "test");
    Map<String, TaskOutputs> dataOut = Declared.synthData(data(), "data");
    List<PlannedTask> captioner = plan(new TrainCaptionerStagePlanner(), job, "captioner", Map.of("data", dataOut));
    List<PlannedTask> recaption = plan(new CurateStagePlanner(), job, "recaption",
        Map.of("data", dataOut, "captioner", Declared.each(captioner, "captioner", OutputKind.CAPTIONER_STATE, OutputKind.MANIFEST)));
    Map<String, Map<String, TaskOutputs>> deps = Map.of("data", dataOut,
        "curate", Declared.each(plan(new CurateStagePlanner(), job, "curate", Map.of("data", dataOut)), "curate",
            OutputKind.CURATED_CAPTIONS, OutputKind.LOG),
        "recaption", Declared.each(recaption, "recaption", OutputKind.CURATED_CAPTIONS, OutputKind.LOG));

    String plain = ((PretrainTask) plan(new PretrainStagePlanner(), job, "pretrain", deps).get(0).payload()).getSpec();
    assertTrue(plain.contains("\"augment\":{\"minScale\":0.9,\"flip\":false}"), plain);

    List<PlannedTask> tasks = plan(new PretrainStagePlanner(), augmented, "pretrain", deps);
    String stageLevel = ((PretrainTask) tasks.get(0).payload()).getSpec();
    assertTrue(stageLevel.contains("\"augment\":{\"minScale\":0.9,\"flip\":true}"), stageLevel);
    String runLevel = ((PretrainTask) tasks.get(2).payload()).getSpec();
    assertTrue(runLevel.contains("\"augment\":{\"minScale\":0.35,\"flip\":true}"), runLevel);
  }

  @Test
  void badAugmentSettingsNameTheirField() {
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, augment: {minScale: 1.5}, runs: [{name: a, objective: mae}]}"),
        "stages[0].augment.minScale", "between");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, runs: [{name: a, objective: mae, augment: {flip: maybe}}]}"),
        "stages[0].runs[0].augment.flip", "true or false");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, runs: [{name: a, objective: mae, augment: {scale: 0.5}}]}"),
        "stages[0].runs[0].augment.scale", "unknown augment field");
    assertProblem(validate(new PretrainStagePlanner(), "{name: p, kind: pretrain, augment: crop, runs: [{name: a, objective: mae}]}"),
        "stages[0].augment", "must be a mapping");
    assertProblem(validate(new PretrainGangStagePlanner(), "{name: g, kind: pretrain-gang, augment: {minScale: 0}}"),
        "stages[0].augment.minScale", "above 0");
  }

  @Test
  void planningFailsNamingTheMissingDependency() {
    JobSpec lonely = JobSpecParser.parse("name: x\nstages:\n  - {name: p, kind: pretrain, runs: [{name: r, objective: none}]}\n", "t");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(new PretrainStagePlanner(), lonely, "p", Map.of()));
    assertTrue(e.getMessage().contains("needs exactly one stage of kind [synth-data, dataset]"), e.getMessage());
  }
}
