package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.JobSpec;
import java.util.List;
import java.util.Map;

/**
 * What a planner may use: the job spec and the outputs of the stages it depends on.
 *
 * @param jobId the job's id
 * @param dependencies stage name -> task name -> output references, for every stage in {@code after}
 */
public record PlanningInput(String jobId, JobSpec job, Map<String, Map<String, List<String>>> dependencies) {}
