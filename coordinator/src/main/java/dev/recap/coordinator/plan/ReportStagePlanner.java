package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.ReportInput;
import dev.recap.bus.task.ReportTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code report} stage: one task that turns the {@code run-result}, {@code loss-curve},
 * {@code image} and {@code data-summary} outputs the stages in {@code after} declared into
 * {@code report.md} and {@code report.html}.
 *
 * <p>Parameters (all optional): {@code title}; {@code copyTo} (directory the report is also copied
 * to, default {@code runs/<jobId>}; {@code ""} for no copy); the run names the three claims
 * compare: {@code qualityRun}, {@code altTextRun}, {@code maeRun}, {@code mobileRun},
 * {@code largeRun}; {@code probeProtocol} (default {@code frozen}), {@code finetuneProtocol}
 * (default {@code finetune}), {@code lowFraction} (default 0.1), {@code closeTolerance} (default
 * 0.1).
 */
public final class ReportStagePlanner implements StagePlanner {

  /** The task type the workers' report handler serves. */
  public static final String TASK_TYPE = "report";

  private static final List<String> RUN_PARAMS = List.of("qualityRun", "altTextRun", "maeRun", "mobileRun", "largeRun");
  private static final Set<String> PARAMS = Set.of("title", "copyTo", "qualityRun", "altTextRun", "maeRun", "mobileRun",
      "largeRun", "probeProtocol", "finetuneProtocol", "lowFraction", "closeTolerance");

  @Override
  public String kind() {
    return "report";
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    if (stage.after().isEmpty()) {
      check.problem(stage.path() + ".after", "a report stage needs the stages whose results it reports, e.g. after: [pretrain, evaluate]");
    }
    read(stage, check, "job");
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    ReportTask task = read(stage, new SpecCheck(null), input.jobId());
    List<ReportInput> inputs = new ArrayList<>();
    // sorted so the plan is deterministic whatever order the dependencies arrive in
    for (String stageName : new TreeMap<>(input.dependencies()).keySet()) {
      for (var byTask : input.tasksOf(stageName).entrySet()) {
        byTask.getValue().declared().stream().filter(d -> REPORT_INPUTS.contains(d.getKind()))
            .sorted(Comparator.comparing(DeclaredOutput::getPath))
            .forEach(d -> inputs.add(new ReportInput(stageName, byTask.getKey(), d.getPath(), d.getKind())));
      }
    }
    task.setInputs(inputs);
    return List.of(new PlannedTask("report", TASK_TYPE, task, Set.of()));
  }

  /** The kinds of output a report reads: results, loss curves, images and what data stages kept and skipped. */
  static final Set<String> REPORT_INPUTS = Set.of(OutputKind.RUN_RESULT.wireName(), OutputKind.LOSS_CURVE.wireName(),
      OutputKind.IMAGE.wireName(), OutputKind.DATA_SUMMARY.wireName());

  private static ReportTask read(StageSpec stage, SpecCheck check, String jobId) {
    ReportTask.Builder b = ReportTask.newBuilder().setInputs(List.of());
    b.setTitle(check.stringParam(stage, "title", "Recap experiment report: " + jobId));
    b.setCopyTo(check.stringParam(stage, "copyTo", "runs/" + jobId));
    Map<String, String> runs = new TreeMap<>();
    for (String p : RUN_PARAMS) {
      String v = check.stringParam(stage, p, null);
      if (v != null && v.isBlank()) {
        check.problem(stage.field(p), "must name a run (the 'run' field of result.json), got an empty string");
      }
      if (v != null) {
        runs.put(p, v);
      }
    }
    runs.forEach((p, v) -> {
      switch (p) {
        case "qualityRun" -> b.setQualityRun(v);
        case "altTextRun" -> b.setAltTextRun(v);
        case "maeRun" -> b.setMaeRun(v);
        case "mobileRun" -> b.setMobileRun(v);
        case "largeRun" -> b.setLargeRun(v);
        default -> throw new IllegalStateException(p);
      }
    });
    b.setProbeProtocol(check.stringParam(stage, "probeProtocol", "frozen"));
    b.setFinetuneProtocol(check.stringParam(stage, "finetuneProtocol", "finetune"));
    b.setLowFraction(fraction(stage, check, "lowFraction", 0.1, true));
    b.setCloseTolerance(fraction(stage, check, "closeTolerance", 0.1, false));
    return b.build();
  }

  /** A number in (0, 1] ({@code SpecCheck} has no decimal reader). */
  private static double fraction(StageSpec stage, SpecCheck check, String key, double dflt, boolean upToOne) {
    Object v = stage.params().get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n && n.doubleValue() > 0 && (!upToOne || n.doubleValue() <= 1)) {
      return n.doubleValue();
    }
    check.problem(stage.field(key), "must be a number in (0, " + (upToOne ? "1]" : "inf)") + ", got " + SpecCheck.describe(v));
    return dflt;
  }
}
