package dev.recap.coordinator.spec;

import java.util.List;
import java.util.Map;

/**
 * One stage of a job: its name, the planner kind that turns it into tasks, the stages whose
 * results it needs, and the planner's own parameters (every other key of the YAML entry).
 *
 * @param path the stage's field path in the spec, e.g. {@code stages[0]}, for error messages
 */
public record StageSpec(String name, String kind, List<String> after, Map<String, Object> params, String path) {

  public StageSpec {
    after = List.copyOf(after);
    params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
  }

  /** The field path of one parameter. */
  public String field(String param) {
    return path + "." + param;
  }
}
