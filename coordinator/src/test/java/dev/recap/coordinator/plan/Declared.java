package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Declared outputs as workers send them, for planner tests. Every output is named after its kind
 * ({@code .../job-1_data_pairs-00000/pairs-shard}), not after the file a handler happens to write:
 * a planner that rebuilt a file name by convention would plan a path that does not exist here.
 */
final class Declared {

  private Declared() {}

  /** The path the fixture declares for {@code kind} of {@code stage}/{@code task}. */
  static String path(String stage, String task, OutputKind kind) {
    return "/art/job-1/job-1_" + stage + "_" + task + "/" + kind.wireName();
  }

  /** One task's declarations, one output per kind. */
  static TaskOutputs task(String stage, String task, OutputKind... kinds) {
    List<DeclaredOutput> declared = new ArrayList<>();
    for (OutputKind k : kinds) {
      declared.add(new DeclaredOutput(path(stage, task, k), k.wireName(), 100L, "0".repeat(64)));
    }
    return new TaskOutputs(declared, null);
  }

  /** Every task of a stage declaring the same kinds. */
  static Map<String, TaskOutputs> each(List<PlannedTask> tasks, String stage, OutputKind... kinds) {
    Map<String, TaskOutputs> out = new LinkedHashMap<>();
    tasks.forEach(t -> out.put(t.name(), task(stage, t.name(), kinds)));
    return out;
  }

  /** What a synth-data stage's tasks declare: shards with their manifests, dense folders. */
  static Map<String, TaskOutputs> synthData(List<PlannedTask> tasks, String stage) {
    Map<String, TaskOutputs> out = new LinkedHashMap<>();
    tasks.forEach(t -> out.put(t.name(), t.name().startsWith("dense-")
        ? task(stage, t.name(), OutputKind.DENSE_FOLDER)
        : task(stage, t.name(), OutputKind.PAIRS_SHARD, OutputKind.MANIFEST)));
    return out;
  }
}
