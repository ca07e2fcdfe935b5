package dev.recap.coordinator.plan;

import dev.recap.bus.task.SmokeTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The built-in {@code smoke} stage: {@code tasks} tasks that each write one small file, for
 * demos and tests of the scheduling machinery without ML.
 *
 * <p>Parameters: {@code tasks} (default 10), {@code sleepMillis} (per task, default 0),
 * {@code writeOutput} (default true), {@code failAttempts} (first attempts that fail on purpose,
 * default 0), {@code requires} (extension ids a worker must have; checked against live workers),
 * {@code writeResult} (default false: also write {@code prediction.png} and a {@code result.json}
 * per docs/results.md, reporting run {@code smoke-<index mod runs>}), {@code runs} (default 2).
 */
public final class SmokeStagePlanner implements StagePlanner {

  private static final Set<String> PARAMS = Set.of("tasks", "sleepMillis", "writeOutput", "failAttempts", "requires",
      "writeResult", "runs");

  @Override
  public String kind() {
    return "smoke";
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    check.intParam(stage, "tasks", 10, 1, 1_000_000);
    check.longParam(stage, "sleepMillis", 0);
    check.boolParam(stage, "writeOutput", true);
    check.intParam(stage, "failAttempts", 0, 0, 100);
    check.boolParam(stage, "writeResult", false);
    check.intParam(stage, "runs", 2, 1, 100);
    List<String> requires = check.stringListParam(stage, "requires");
    for (int i = 0; i < requires.size(); i++) {
      check.requirePlugin(stage.field("requires") + "[" + i + "]", requires.get(i));
    }
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck read = new SpecCheck(null);
    int tasks = read.intParam(stage, "tasks", 10, 1, 1_000_000);
    long sleep = read.longParam(stage, "sleepMillis", 0);
    boolean write = read.boolParam(stage, "writeOutput", true);
    int failAttempts = read.intParam(stage, "failAttempts", 0, 0, 100);
    boolean result = read.boolParam(stage, "writeResult", false);
    int runs = read.intParam(stage, "runs", 2, 1, 100);
    Set<String> requires = Set.copyOf(read.stringListParam(stage, "requires"));
    List<PlannedTask> planned = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      planned.add(new PlannedTask(String.format("%05d", i), "smoke", new SmokeTask(i, sleep, write, failAttempts, result,
          "smoke-" + (i % runs), i / runs), requires));
    }
    return planned;
  }
}
