package dev.recap.coordinator.plan;

import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * One task a planner wants run.
 *
 * @param name unique within its stage; the task id is {@code job/stage/name}
 * @param taskType selects the worker's TaskHandler
 * @param payload the generated Avro record the handler receives
 * @param requiredPlugins extension ids a worker must advertise to be leased this task ({@code id@version}
 *     pins a version)
 */
public record PlannedTask(String name, String taskType, SpecificRecord payload, Set<String> requiredPlugins) {
  public PlannedTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(taskType, "taskType");
    Objects.requireNonNull(payload, "payload");
    requiredPlugins = Set.copyOf(requiredPlugins);
    if (!name.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("task name must be 1-128 of [A-Za-z0-9._-], got '" + name + "'");
    }
  }
}
