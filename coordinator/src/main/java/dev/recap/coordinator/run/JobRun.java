package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.PlannedTask;
import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One job in flight: its stages, their tasks, what is done. Guarded by the coordinator's lock. */
final class JobRun {

  final String jobId;
  final JobSpec spec;
  final long submittedAtMillis;
  String state = "RUNNING";
  String cause;
  long finishedAtMillis;
  int retries;
  final JobTelemetry telemetry = new JobTelemetry();
  /** Events journaled beyond this many per job are kept in memory only (a flood of skipped samples). */
  static final int MAX_JOURNALED_EVENTS = 2000;
  /** Events of this job in the journal. */
  int journaledEvents;
  long lastProgressFeedMillis;
  /** Outputs of the tasks of a job recovered as finished (its plan is not rebuilt), by task id. */
  final Map<String, TaskOutputs> finishedOutputs = new LinkedHashMap<>();
  final Map<String, StageRun> stages = new LinkedHashMap<>();
  final Map<String, TaskRun> tasks = new HashMap<>();
  /** What the tasks the journal says are done declared, by task id, applied when their stage is planned. */
  final Map<String, TaskOutputs> recoveredDone = new LinkedHashMap<>();
  /** Attempts the journal says were made, by task id. */
  final Map<String, Integer> recoveredAttempts = new HashMap<>();

  JobRun(String jobId, JobSpec spec, long submittedAtMillis) {
    this.jobId = jobId;
    this.spec = spec;
    this.submittedAtMillis = submittedAtMillis;
    spec.stages().forEach(s -> stages.put(s.name(), new StageRun(s)));
  }

  static final class StageRun {
    final StageSpec spec;
    boolean planned;
    final List<String> taskIds = new ArrayList<>();
    int done;
    /** When the stage was planned and when its last task finished (coordinator clock), 0 until then. */
    long plannedAtMillis;
    long completedAtMillis;
    /** Why the stage was skipped without tasks (the job's budget), or null. */
    String skipped;

    StageRun(StageSpec spec) {
      this.spec = spec;
    }

    boolean complete() {
      return planned && done == taskIds.size();
    }
  }

  static final class TaskRun {
    final String taskId;
    final String stage;
    final PlannedTask planned;
    final ByteBuffer payload;
    final long seed;
    boolean done;
    TaskOutputs outputs = TaskOutputs.NONE;
    int attempts;
    String lastCause;

    TaskRun(String taskId, String stage, PlannedTask planned, ByteBuffer payload, long seed) {
      this.taskId = taskId;
      this.stage = stage;
      this.planned = planned;
      this.payload = payload;
      this.seed = seed;
    }
  }

  JobStatus status() {
    List<JobStatus.StageStatus> st = new ArrayList<>();
    int done = 0;
    int total = 0;
    String current = null;
    for (StageRun s : stages.values()) {
      String state = s.skipped != null ? "SKIPPED" : s.complete() ? "DONE" : s.planned ? "RUNNING" : "WAITING";
      st.add(new JobStatus.StageStatus(s.spec.name(), s.spec.kind(), state, s.done, s.taskIds.size()));
      done += s.done;
      total += s.taskIds.size();
      if (current == null && !s.complete()) {
        current = s.spec.name();
      }
    }
    if (current == null && !stages.isEmpty()) {
      current = new ArrayList<>(stages.keySet()).get(stages.size() - 1);
    }
    return new JobStatus(jobId, spec.name(), state, cause, current, done, total, retries, st, submittedAtMillis,
        finishedAtMillis);
  }
}
