package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.CurateTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The curate stage's {@code score} and {@code filter}: validation with field paths, and the payloads planned. */
class CurateScoreFilterPlannerTest {

  static final String HEAD = """
      name: s
      stages:
        - {name: data, kind: synth-data, pairs: 100, shardSize: 50, heldOut: 5, denseTrain: 5, denseTest: 5}
        - {name: curate, kind: curate, after: [data], sources: [alt-text]}
        - name: pretrain
          kind: pretrain
          after: [data, curate]
          seeds: [1, 2]
          runs: [{name: clip-alt, captions: alt-text}, {name: mae, objective: mae}]
      """;

  static List<SpecProblem> validate(String filteredStage) {
    JobSpec job = JobSpecParser.parse(HEAD + "  - " + filteredStage + "\n", "test");
    SpecCheck check = new SpecCheck(Set.of("synth-scenes", "vit", "text-transformer", "alt-text", "grounded"));
    new CurateStagePlanner().validate(job.stage("filtered").orElseThrow(), job, check);
    return check.problems();
  }

  @Test
  void aValidScoreAndFilterPassValidation() {
    assertEquals(List.of(), validate("{name: filtered, kind: curate, after: [data, pretrain], sources: [grounded],"
        + " score: {stage: pretrain, run: clip-alt, seed: 2}, filter: {topFraction: 0.8}}"));
    assertEquals(List.of(), validate("{name: filtered, kind: curate, after: [data, pretrain], sources: [grounded],"
        + " score: {stage: pretrain, run: clip-alt}, filter: {threshold: 0.25}}"));
    assertEquals(List.of(), validate("{name: filtered, kind: curate, after: [data, pretrain], sources: [grounded],"
        + " score: {stage: pretrain, run: clip-alt}}"), "scores without a filter are stored only");
  }

  @Test
  void scoreAndFilterErrorsNameTheField() {
    String stage = "{name: filtered, kind: curate, after: [data, pretrain], sources: [grounded], ";
    assertProblem(validate(stage + "filter: {topFraction: 0.5}}"), "stages[3].filter", "needs a score");
    assertProblem(validate("{name: filtered, kind: curate, after: [data], sources: [grounded], score: {stage: pretrain, run: clip-alt}}"),
        "stages[3].score.stage", "must be listed in this stage's 'after'");
    assertProblem(validate("{name: filtered, kind: curate, after: [data, curate], sources: [grounded], score: {stage: curate, run: x}}"),
        "stages[3].score.stage", "of kind 'curate'");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-grounded}}"), "stages[3].score.run", "no run 'clip-grounded'");
    assertProblem(validate(stage + "score: {stage: pretrain, run: mae}}"), "stages[3].score.run", "needs a clip run");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt, seed: 3}}"), "stages[3].score.seed", "trains seeds [1, 2]");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt, seed: one}}"), "stages[3].score.seed", "whole number");
    assertProblem(validate(stage + "score: {stage: pretrain}}"), "stages[3].score.run", "is required");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt, model: x}}"), "stages[3].score.model", "unknown score field");
    assertProblem(validate(stage + "score: pretrain}"), "stages[3].score", "must be a mapping");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt}, filter: {topFraction: 1.5}}"),
        "stages[3].filter.topFraction", "between 0.0 and 1.0");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt}, filter: {threshold: 2}}"),
        "stages[3].filter.threshold", "between -1.0 and 1.0");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt}, filter: {topFraction: 0.5, threshold: 0.2}}"),
        "stages[3].filter", "exactly one of topFraction");
    assertProblem(validate(stage + "score: {stage: pretrain, run: clip-alt}, filter: {top: 0.5}}"), "stages[3].filter.top",
        "unknown filter field");
  }

  @Test
  void eachTaskGetsThePretrainRunsDirectoryAndTheFilter() {
    JobSpec job = JobSpecParser.parse(HEAD + "  - {name: filtered, kind: curate, after: [data, pretrain], sources: [alt-text, grounded],"
        + " score: {stage: pretrain, run: clip-alt, seed: 2}, filter: {topFraction: 0.8}}\n", "test");
    List<PlannedTask> data = plan(new SynthDataStagePlanner(), job, "data", Map.of());
    Map<String, TaskOutputs> dataOut = Declared.synthData(data, "data");
    List<PlannedTask> curate = plan(new CurateStagePlanner(), job, "curate", Map.of("data", dataOut));
    List<PlannedTask> pretrain = plan(new PretrainStagePlanner(), job, "pretrain",
        Map.of("data", dataOut, "curate", Declared.each(curate, "curate", OutputKind.CURATED_CAPTIONS)));
    List<PlannedTask> filtered = plan(new CurateStagePlanner(), job, "filtered",
        Map.of("data", dataOut, "pretrain", Declared.each(pretrain, "pretrain", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT)));
    assertEquals(List.of("alt-text-00000", "alt-text-00001", "grounded-00000", "grounded-00001"),
        filtered.stream().map(PlannedTask::name).toList());
    for (PlannedTask t : filtered) {
      CurateTask payload = (CurateTask) t.payload();
      assertEquals(Declared.path("pretrain", "clip-alt-s2", OutputKind.TRAINED_RUN), payload.getScorer());
      assertEquals(0.8, payload.getTopFraction());
      assertNull(payload.getThreshold());
      assertTrue(t.requiredPlugins().containsAll(Set.of("vit", "text-transformer")), "a scoring worker needs the run's towers");
    }
    CurateTask plain = (CurateTask) curate.get(0).payload();
    assertNull(plain.getScorer());
    assertNull(plain.getTopFraction());
    assertEquals(Set.of("alt-text"), curate.get(0).requiredPlugins());
  }
}
