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
 * 0.1); {@code assess} (a mapping: the Assessment section {@code recap assess} asks for, with
 * {@code original}, {@code recaptioned} and {@code control} run names, the {@code source} the
 * recaptions came from, and what the section states about the data: {@code captioner},
 * {@code shards} in the whole dataset, {@code proxyShards}, {@code sizing}, {@code probeSeconds}: the
 * sizing's estimate of one frozen probe); with it the report also
 * reads the curate stages' statistics and sidecars and the data stage's pair shards (for the
 * caption pairs and the cost). Stages of the job skipped for its budget are listed in the payload.
 */
public final class ReportStagePlanner implements StagePlanner {

  /** The task type the workers' report handler serves. */
  public static final String TASK_TYPE = "report";

  private static final List<String> RUN_PARAMS = List.of("qualityRun", "altTextRun", "maeRun", "mobileRun", "largeRun");
  private static final Set<String> PARAMS = Set.of("title", "copyTo", "qualityRun", "altTextRun", "maeRun", "mobileRun",
      "largeRun", "probeProtocol", "finetuneProtocol", "lowFraction", "closeTolerance", "assess");

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
    Set<String> kinds = task.getAssess() == null ? REPORT_INPUTS : ASSESS_INPUTS;
    List<ReportInput> inputs = new ArrayList<>();
    // sorted so the plan is deterministic whatever order the dependencies arrive in
    for (String stageName : new TreeMap<>(input.dependencies()).keySet()) {
      for (var byTask : input.tasksOf(stageName).entrySet()) {
        byTask.getValue().declared().stream().filter(d -> kinds.contains(d.getKind()))
            .sorted(Comparator.comparing(DeclaredOutput::getPath))
            .forEach(d -> inputs.add(new ReportInput(stageName, byTask.getKey(), d.getPath(), d.getKind())));
      }
    }
    task.setInputs(inputs);
    List<String> skipped = new ArrayList<>();
    input.skipped().forEach((name, why) -> skipped.add(name + ": " + why));
    task.setSkipped(skipped);
    return List.of(new PlannedTask("report", TASK_TYPE, task, Set.of()));
  }

  /** The kinds of output a report reads: results, loss curves, images and what data stages kept and skipped. */
  static final Set<String> REPORT_INPUTS = Set.of(OutputKind.RUN_RESULT.wireName(), OutputKind.LOSS_CURVE.wireName(),
      OutputKind.IMAGE.wireName(), OutputKind.DATA_SUMMARY.wireName());

  /** What an Assessment section reads besides: curate statistics (a log), caption sidecars, the pairs themselves. */
  static final Set<String> ASSESS_INPUTS = Set.of(OutputKind.RUN_RESULT.wireName(), OutputKind.LOSS_CURVE.wireName(),
      OutputKind.IMAGE.wireName(), OutputKind.DATA_SUMMARY.wireName(), OutputKind.LOG.wireName(),
      OutputKind.CURATED_CAPTIONS.wireName(), OutputKind.PAIRS_SHARD.wireName());

  private static final Set<String> ASSESS_KEYS = Set.of("original", "recaptioned", "control", "source", "captioner", "shards",
      "proxyShards", "sizing", "probeSeconds");

  private static String assess(StageSpec stage, SpecCheck check) {
    Object v = stage.params().get("assess");
    if (v == null) {
      return null;
    }
    Map<String, Object> m = PipelineParams.map(check, stage.field("assess"), v, null);
    if (m == null) {
      return null;
    }
    for (String key : m.keySet()) {
      if (!ASSESS_KEYS.contains(key)) {
        check.problem(stage.field("assess") + "." + key, "unknown field; known: " + new java.util.TreeSet<>(ASSESS_KEYS));
      }
    }
    for (String key : List.of("original", "recaptioned", "source")) {
      if (!(m.get(key) instanceof String s) || s.isBlank()) {
        check.problem(stage.field("assess") + "." + key, "is required: "
            + (key.equals("source") ? "the curate source of the recaptions" : "a run name") + ", got " + SpecCheck.describe(m.get(key)));
      }
    }
    return new io.vertx.core.json.JsonObject(new java.util.LinkedHashMap<>(m)).encode();
  }

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
    b.setAssess(assess(stage, check));
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
