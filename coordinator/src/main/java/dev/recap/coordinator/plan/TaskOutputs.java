package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.msg.TaskSuccess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a finished task handed back: the outputs it declared (path, kind, size, checksum) and its
 * result JSON (docs/results.md), or null if it has none. Later stages plan from the declared
 * outputs ({@link PlanningInput#outputsOf}); the results table is built from the results.
 */
public record TaskOutputs(List<DeclaredOutput> declared, String result) {

  /** A task that declared nothing. */
  public static final TaskOutputs NONE = new TaskOutputs(List.of(), null);

  public TaskOutputs {
    declared = List.copyOf(declared);
  }

  /** What a task's success message carries. */
  public static TaskOutputs of(TaskSuccess success) {
    return new TaskOutputs(success.getDeclared(), success.getResultJson());
  }

  /** The paths of every declared output, in declaration order. */
  public List<String> paths() {
    return declared.stream().map(DeclaredOutput::getPath).toList();
  }

  /** The declared outputs of {@code kind}, in declaration order. */
  public List<DeclaredOutput> ofKind(OutputKind kind) {
    return declared.stream().filter(d -> d.getKind().equals(kind.wireName())).toList();
  }

  /** The kinds declared, in declaration order, each once (for error messages). */
  public List<String> kinds() {
    return declared.stream().map(DeclaredOutput::getKind).distinct().toList();
  }

  /**
   * The journal's form: {@code declared: [{path, kind, sizeBytes, sha256}]} and {@code result},
   * plus {@code outputs}, the paths, as the previous version journaled them.
   */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    for (DeclaredOutput d : declared) {
      list.add(new JsonObject().put("path", d.getPath()).put("kind", d.getKind()).put("sizeBytes", d.getSizeBytes())
          .put("sha256", d.getSha256()));
    }
    return new JsonObject().put("outputs", new JsonArray(new ArrayList<>(paths()))).put("declared", list).put("result", result);
  }

  /**
   * Reads {@link #toJson()}'s form from a journal record.
   *
   * @return null for a record journaled before outputs were declared (it has paths only)
   * @throws IllegalArgumentException naming the field that is malformed
   */
  public static TaskOutputs fromJson(JsonObject record) {
    if (!(record.getValue("declared") instanceof JsonArray list)) {
      return null;
    }
    List<DeclaredOutput> declared = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject d) || !(d.getValue("path") instanceof String path)
          || !(d.getValue("kind") instanceof String kind) || !(d.getValue("sizeBytes") instanceof Number size)
          || !(d.getValue("sha256") instanceof String sha)) {
        throw new IllegalArgumentException("declared[" + i + "] must be {path, kind, sizeBytes, sha256}, got " + list.getValue(i));
      }
      declared.add(new DeclaredOutput(path, kind, size.longValue(), sha));
    }
    return new TaskOutputs(declared, record.getString("result"));
  }
}
