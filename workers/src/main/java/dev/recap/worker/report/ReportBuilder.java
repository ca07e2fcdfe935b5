package dev.recap.worker.report;

import java.nio.charset.StandardCharsets;
import dev.recap.bus.OutputKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the report from a job's input files: reads every run result and loss curve (skipping,
 * and listing, what cannot be read), aggregates, checks the claims, and renders the markdown,
 * the html and the charts as named files in memory for the caller to store.
 */
public final class ReportBuilder {

  /** One input file, the stage / task that wrote it, and the kind it declared it as. */
  public record Input(String stage, String task, Path file, OutputKind kind) {}

  /** Everything the report reads, after reading: what was used and what was skipped (with why). */
  public record Contents(String title, ExperimentResults results, List<LossCurve> curves,
      List<ClaimCheck.Claim> claims, ClaimCheck.Settings claimSettings, Map<String, StageTime> stageTimes,
      List<String> skipped, List<DataSummaries.Summary> data, Assessment assessment) {

    /** Without an Assessment section. */
    public Contents(String title, ExperimentResults results, List<LossCurve> curves, List<ClaimCheck.Claim> claims,
        ClaimCheck.Settings claimSettings, Map<String, StageTime> stageTimes, List<String> skipped,
        List<DataSummaries.Summary> data) {
      this(title, results, curves, claims, claimSettings, stageTimes, skipped, data, null);
    }
  }

  /** Wall time of a stage from its tasks' recorded {@code wallSeconds}. */
  public record StageTime(int tasks, double totalSeconds, double longestSeconds) {}

  /** The report's files: name (plain file name) to bytes, in writing order. */
  public record Output(Map<String, byte[]> files, Contents contents) {}

  private ReportBuilder() {}

  /** Reads the inputs; never throws for a bad input file, it is listed in {@code skipped}. */
  public static Contents read(String title, List<Input> inputs, ClaimCheck.Settings settings) {
    return read(title, inputs, settings, null, List.of());
  }

  /**
   * As {@link #read(String, List, ClaimCheck.Settings)}, with an Assessment section when
   * {@code assess} (the report stage's {@code assess} settings, JSON) is not null; the claims are
   * then left out (an assessment compares two caption sets, not the paper's claims).
   *
   * @param skippedStages stages of the job skipped for its budget, each {@code stage: why}
   */
  public static Contents read(String title, List<Input> inputs, ClaimCheck.Settings settings, String assess,
      List<String> skippedStages) {
    List<String> skipped = new ArrayList<>();
    List<RunResult> results = new ArrayList<>();
    Map<String, RunResult> resultByTask = new HashMap<>();
    for (Input in : inputs) {
      if (in.kind() == OutputKind.RUN_RESULT) {
        try {
          RunResult r = ResultFiles.readResult(in.file(), in.stage(), in.task(), skipped::add);
          results.add(r);
          resultByTask.put(in.stage() + "/" + in.task(), r);
        } catch (ReportInputException e) {
          skipped.add(e.getMessage() + "; result left out");
        }
      }
    }
    List<LossCurve> curves = new ArrayList<>();
    for (Input in : inputs) {
      if (in.kind() == OutputKind.LOSS_CURVE) {
        RunResult owner = resultByTask.get(in.stage() + "/" + in.task());
        if (owner != null && "none".equals(owner.objective())) {
          continue; // an untrained baseline (random init) has no loss curve by design: not a skipped input
        }
        String label = owner != null ? owner.run() + " seed " + owner.seed() : in.stage() + "/" + in.task();
        try {
          curves.add(ResultFiles.readLoss(in.file(), in.stage(), in.task(), label, owner != null ? owner.objective() : "",
              owner != null ? owner.run() : ""));
        } catch (ReportInputException e) {
          skipped.add(e.getMessage() + "; loss curve left out");
        }
      }
    }
    curves.sort((a, b) -> a.label().compareTo(b.label()));
    List<DataSummaries.Summary> data = new ArrayList<>();
    for (Input in : inputs) {
      if (in.kind() == OutputKind.DATA_SUMMARY) {
        try {
          data.add(DataSummaries.read(in.file(), in.stage()));
        } catch (ReportInputException e) {
          skipped.add(e.getMessage() + "; data summary left out");
        }
      }
    }
    Map<String, StageTime> times = new TreeMap<>();
    Map<String, List<Double>> walls = new LinkedHashMap<>();
    for (RunResult r : results) {
      if (r.wallSeconds() != null) {
        walls.computeIfAbsent(r.stage(), k -> new ArrayList<>()).add(r.wallSeconds());
      }
    }
    walls.forEach((stage, w) -> times.put(stage, new StageTime(w.size(), w.stream().mapToDouble(d -> d).sum(),
        w.stream().mapToDouble(d -> d).max().orElse(0))));
    ExperimentResults experiment = new ExperimentResults(results);
    skipped.addAll(experiment.conflicts());
    Assessment assessment = assess == null ? null : Assessment.read(assess, skippedStages, inputs, results, data);
    if (assessment == null && !skippedStages.isEmpty()) {
      skippedStages.forEach(s -> skipped.add("stage " + s));
    }
    return new Contents(title, experiment, List.copyOf(curves), assessment != null ? List.of()
        : ClaimCheck.evaluate(experiment, settings), settings, times, List.copyOf(skipped), List.copyOf(data), assessment);
  }

  /** Reads the inputs and renders report.md, report.html and their charts and images. */
  public static Output build(String title, List<Input> inputs, ClaimCheck.Settings settings) {
    return build(title, inputs, settings, null, List.of());
  }

  /** As {@link #build(String, List, ClaimCheck.Settings)} with an Assessment section (see {@link #read(String, List, ClaimCheck.Settings, String, List)}). */
  public static Output build(String title, List<Input> inputs, ClaimCheck.Settings settings, String assess,
      List<String> skippedStages) {
    Contents contents = read(title, inputs, settings, assess, skippedStages);
    Map<String, byte[]> files = new LinkedHashMap<>();
    HeadlineTable headline = HeadlineTable.of(contents.results(), contents.claimSettings());
    ReportCharts charts = ReportCharts.draw(contents, headline);
    charts.svgs().forEach((name, svg) -> files.put(name, svg.getBytes(StandardCharsets.UTF_8)));
    SamplePredictions samples = SamplePredictions.copy(contents.results());
    if (!samples.skipped().isEmpty()) {
      List<String> skipped = new ArrayList<>(contents.skipped());
      skipped.addAll(samples.skipped());
      contents = new Contents(contents.title(), contents.results(), contents.curves(), contents.claims(),
          contents.claimSettings(), contents.stageTimes(), List.copyOf(skipped), contents.data(), contents.assessment());
    }
    if (contents.assessment() != null) {
      files.putAll(contents.assessment().files());
    }
    files.putAll(samples.files());
    PredictionGrid.Grids grids = PredictionGrid.cut(contents.results(), samples);
    files.putAll(grids.files());
    files.put("results.csv", ResultRows.csv(contents.results().results()).getBytes(StandardCharsets.UTF_8));
    files.put("results.json", ResultRows.json(contents.results().results()).getBytes(StandardCharsets.UTF_8));
    files.put("headline.json", headline.json().getBytes(StandardCharsets.UTF_8));
    files.put("report.md", MarkdownReport.render(contents, headline, charts, samples, grids).getBytes(StandardCharsets.UTF_8));
    files.put("report.html", HtmlReport.render(contents, headline, charts, samples, grids).getBytes(StandardCharsets.UTF_8));
    return new Output(files, contents);
  }
}
