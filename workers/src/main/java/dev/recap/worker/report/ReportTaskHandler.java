package dev.recap.worker.report;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.ReportInput;
import dev.recap.bus.task.ReportTask;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code report} task: builds report.md / report.html (with SVG charts and sample images) from the payload's inputs, writes them through the artifact store and copies them to
 * {@code copyTo}. Invalid inputs are listed in the report, not fatal; a report with no valid
 * result at all is still written, then the task fails permanently (a retry would read the same files).
 */
public final class ReportTaskHandler implements TaskHandler<ReportTask> {

  /** The task type the coordinator's {@code report} stage planner emits. */
  public static final String TYPE = "report";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<ReportTask> payloadType() {
    return ReportTask.class;
  }

  @Override
  public void execute(TaskContext<ReportTask> context) throws Exception {
    ReportTask task = context.payload();
    List<ReportBuilder.Input> inputs = new ArrayList<>();
    for (ReportInput in : task.getInputs()) {
      OutputKind kind;
      try {
        kind = OutputKind.ofWireName(in.getKind());
      } catch (IllegalArgumentException e) {
        throw new PermanentTaskFailure("report input " + in.getFile() + " of task " + in.getStage() + "/" + in.getTask()
            + ": " + e.getMessage(), e);
      }
      inputs.add(new ReportBuilder.Input(in.getStage(), in.getTask(), Path.of(in.getFile()), kind));
    }
    context.progress(0.1, "reading " + inputs.size() + " input files");
    ReportBuilder.Output output = ReportBuilder.build(task.getTitle(), inputs, settings(task), task.getAssess(), task.getSkipped());
    Map<String, byte[]> files = new LinkedHashMap<>(output.files());
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      context.artifacts().write(f.getKey(), f.getKey().endsWith(".png") ? OutputKind.IMAGE : OutputKind.REPORT, f.getValue());
    }
    if (!task.getCopyTo().isEmpty()) {
      copy(files, Path.of(task.getCopyTo()));
    }
    String where = context.artifacts().directory().resolve("report.md")
        + (task.getCopyTo().isEmpty() ? "" : " and " + Path.of(task.getCopyTo()).toAbsolutePath().resolve("report.md"));
    ReportBuilder.Contents contents = output.contents();
    context.event("report written to " + where + ": " + contents.results().results().size() + " results, "
        + contents.curves().size() + " loss curves, " + contents.skipped().size() + " inputs skipped; claims: "
        + contents.claims().stream().map(c -> "(" + c.id() + ") " + c.verdict().text()).toList());
    context.progress(1.0, "report written");
    if (contents.results().results().isEmpty()) {
      throw new PermanentTaskFailure("the report found no valid result.json among " + inputs.size()
          + " inputs (report written to " + where + " lists what was skipped): " + contents.skipped());
    }
  }

  /** The claim settings of a payload. */
  public static ClaimCheck.Settings settings(ReportTask task) {
    return new ClaimCheck.Settings(task.getQualityRun(), task.getAltTextRun(), task.getMaeRun(), task.getMobileRun(),
        task.getLargeRun(), task.getProbeProtocol(), task.getFinetuneProtocol(), task.getLowFraction(),
        task.getCloseTolerance());
  }

  /** Copies the report files into {@code target}, each through a temporary file renamed into place. */
  static void copy(Map<String, byte[]> files, Path target) throws IOException {
    Files.createDirectories(target);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path temp = target.resolve("." + f.getKey() + ".tmp");
      Files.write(temp, f.getValue());
      Files.move(temp, target.resolve(f.getKey()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
