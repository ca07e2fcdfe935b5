package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.util.List;

/**
 * Turns the stages of one kind into tasks. Implementations are found with
 * {@link java.util.ServiceLoader} (a line in
 * {@code META-INF/services/dev.recap.coordinator.plan.StagePlanner}).
 *
 * <p>Planning happens when every stage in {@link StageSpec#after()} has finished, so a planner
 * can use their outputs. It must be deterministic in its inputs: a coordinator restarted from
 * its journal re-plans unfinished stages and matches tasks by name to those already done.
 */
public interface StagePlanner {

  /** The {@code kind:} this planner serves, e.g. {@code "smoke"}. */
  String kind();

  /**
   * Checks the stage's parameters and plugin references, recording problems with field paths
   * on {@code check} (use its typed readers). Called at submission, before anything runs.
   */
  void validate(StageSpec stage, SpecCheck check);

  /**
   * As {@link #validate(StageSpec, SpecCheck)}, with the whole job for checks that look at the
   * stages in {@code after} (a curate stage's score names a run of a pretrain stage). The
   * coordinator calls this one; the default checks the stage alone.
   */
  default void validate(StageSpec stage, JobSpec job, SpecCheck check) {
    validate(stage, check);
  }

  /** The stage's tasks; names must be unique within the stage. */
  List<PlannedTask> plan(StageSpec stage, PlanningInput input);
}
