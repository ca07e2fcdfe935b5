package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.plan;
import static dev.recap.coordinator.plan.ExperimentPlannersTest.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.bus.task.PretrainTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Probing along training: the pretrain stage's {@code snapshots} and the evaluate stage's {@code curve}. */
class EvaluateCurvePlanningTest {

  private static final String JOB = """
      name: exp
      stages:
        - {name: data, kind: synth-data, pairs: 100, shardSize: 100, heldOut: 10, denseTrain: 20, denseTest: 10}
        - {name: curate, kind: curate, after: [data], sources: [alt-text]}
        - name: pretrain
          kind: pretrain
          after: [data, curate]
          seeds: [1]
          snapshots: 3
          runs:
            - {name: vit-alt, captions: alt-text}
            - {name: vit-random, objective: none, encoder: vit}
        - name: evaluate
          kind: evaluate
          after: [data, pretrain]
          protocols: [frozen, finetune]
          frozen: {fractions: [0.5, 1.0]}
          curve: true
      """;

  private final JobSpec job = JobSpecParser.parse(JOB, "test");

  private Map<String, TaskOutputs> dataOut() {
    return Declared.synthData(plan(new SynthDataStagePlanner(), job, "data", Map.of()), "data");
  }

  private List<PlannedTask> pretrain(Map<String, TaskOutputs> dataOut) {
    Map<String, TaskOutputs> curate = Declared.each(plan(new CurateStagePlanner(), job, "curate", Map.of("data", dataOut)),
        "curate", OutputKind.CURATED_CAPTIONS);
    return plan(new PretrainStagePlanner(), job, "pretrain", Map.of("data", dataOut, "curate", curate));
  }

  /** What a pretrain task that kept snapshots at {@code steps} declares, and its result listing them. */
  private static TaskOutputs withSnapshots(String task, long... steps) {
    TaskOutputs base = Declared.task("pretrain", task, OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT);
    List<DeclaredOutput> declared = new ArrayList<>(base.declared());
    JsonArray listed = new JsonArray();
    for (long step : steps) {
      String path = "/art/job-1/job-1_pretrain_" + task + "/snapshot-step-" + step;
      declared.add(new DeclaredOutput(path, OutputKind.TRAINED_RUN_SNAPSHOT.wireName(), 100L, "0".repeat(64)));
      listed.add(new JsonObject().put("step", step).put("pairsSeen", step * 128).put("path", path));
    }
    return new TaskOutputs(declared, new JsonObject().put("run", task).put("snapshots", listed).encode());
  }

  @Test
  void thePretrainStagePassesTheSnapshotCountToClipAndMaeRunsOnly() {
    Map<String, Integer> snapshots = new LinkedHashMap<>();
    pretrain(dataOut()).forEach(t -> snapshots.put(t.name(), ((PretrainTask) t.payload()).getSnapshots()));
    assertEquals(Map.of("vit-alt-s1", 3, "vit-random-s1", 0), snapshots, "an untrained run has nothing to snapshot");
  }

  @Test
  void everySnapshotIsProbedFrozenAtTheFirstFractionAndRetrievedOnItsOwnDirectory() {
    Map<String, TaskOutputs> dataOut = dataOut();
    pretrain(dataOut);
    Map<String, TaskOutputs> pretrainOut = new LinkedHashMap<>();
    pretrainOut.put("vit-alt-s1", withSnapshots("vit-alt-s1", 2, 4));
    pretrainOut.put("vit-random-s1", Declared.task("pretrain", "vit-random-s1", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT));
    Map<String, EvaluateTask> byName = new LinkedHashMap<>();
    plan(new EvaluateStagePlanner(), job, "evaluate", Map.of("data", dataOut, "pretrain", pretrainOut))
        .forEach(t -> byName.put(t.name(), (EvaluateTask) t.payload()));
    for (long step : new long[] {2, 4}) {
      String dir = "/art/job-1/job-1_pretrain_vit-alt-s1/snapshot-step-" + step;
      for (String task : List.of("segmentation", "depth")) {
        EvaluateTask probe = byName.get("vit-alt-s1-step" + step + "-frozen-" + task + "-f0.5");
        assertEquals(dir, probe.getPretrained(), "the probe reads the snapshot, not the final model");
        assertEquals("frozen", probe.getProtocol());
      }
      assertEquals(dir, byName.get("vit-alt-s1-step" + step + "-retrieval").getPretrained());
    }
    long alongTraining = byName.keySet().stream().filter(n -> n.contains("-step")).count();
    assertEquals(6, alongTraining, "two snapshots x (two frozen probes + retrieval), no finetuning, nothing for the random run: "
        + byName.keySet());
    assertEquals(Declared.path("pretrain", "vit-alt-s1", OutputKind.TRAINED_RUN),
        byName.get("vit-alt-s1-finetune-depth-f1.0").getPretrained(), "the final model is still evaluated in full");
  }

  @Test
  void aSnapshotTheResultListsButTheTaskDidNotDeclareIsAnErrorNamingIt() {
    Map<String, TaskOutputs> dataOut = dataOut();
    TaskOutputs listed = withSnapshots("vit-alt-s1", 2);
    TaskOutputs undeclared = new TaskOutputs(listed.declared().stream()
        .filter(d -> !d.getKind().equals(OutputKind.TRAINED_RUN_SNAPSHOT.wireName())).toList(), listed.result());
    Map<String, TaskOutputs> pretrainOut = Map.of("vit-alt-s1", undeclared,
        "vit-random-s1", Declared.task("pretrain", "vit-random-s1", OutputKind.TRAINED_RUN, OutputKind.RUN_RESULT));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> plan(new EvaluateStagePlanner(), job, "evaluate", Map.of("data", dataOut, "pretrain", pretrainOut)));
    assertTrue(e.getMessage().contains("snapshot-step-2") && e.getMessage().contains("did not declare"), e.getMessage());
  }

  @Test
  void aCurveWithoutTheFrozenProtocolIsASpecProblem() {
    assertProblem(validate(new EvaluateStagePlanner(), "{name: e, kind: evaluate, protocols: [finetune], curve: true}"),
        "stages[0].curve", "frozen");
  }
}
