package dev.recap.coordinator.cli;

import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The one-line progress display: elapsed time, tasks done / total, and per running stage its
 * tasks, samples/s and ETA (from the progress running tasks report). Rewrites itself with
 * a carriage return on a terminal, prints a line per change (at most every 2 s) otherwise.
 */
final class ProgressLine {

  private final PrintWriter out;
  private final boolean terminal;
  private final LongSupplier clock;
  private long firstMillis = -1;
  private int firstDone;
  private long lastPrinted;
  private String lastLine = "";

  ProgressLine(PrintWriter out, boolean terminal, LongSupplier clock) {
    this.out = out;
    this.terminal = terminal;
    this.clock = clock;
  }

  /** Formats a status; the rate counts tasks done since the first observation. */
  String format(JobStatus s) {
    return format(s, null);
  }

  /**
   * Formats a status with the coordinator's view of the job ({@code Coordinator.jobView}): each
   * running stage with its tasks, samples/s and ETA from the progress its running tasks report,
   * so a stage of a few long training tasks does not look stalled. Without a view, the ETA comes
   * from the rate of finished tasks.
   */
  String format(JobStatus s, JsonObject view) {
    long now = clock.getAsLong();
    if (firstMillis < 0) {
      firstMillis = now;
      firstDone = s.tasksDone();
    }
    String elapsed = s.submittedAtMillis() > 0 ? " " + clockText(Math.max(0, (now - s.submittedAtMillis()) / 1000)) : "";
    StringBuilder running = new StringBuilder();
    if (view != null && view.getJsonArray("stages") != null) {
      for (Object o : view.getJsonArray("stages")) {
        JsonObject st = (JsonObject) o;
        if (!"RUNNING".equals(st.getString("state"))) {
          continue;
        }
        running.append(" | ").append(st.getString("name")).append(' ').append(st.getInteger("tasksDone", 0)).append('/')
            .append(st.getInteger("tasksTotal", 0));
        Double rate = st.getDouble("samplesPerSec");
        if (rate != null && rate > 0) {
          running.append(String.format(Locale.ROOT, "  %.0f samples/s", rate));
        }
        Double eta = st.getDouble("etaSeconds");
        running.append("  ETA ").append(eta == null ? "--:--" : clockText(Math.round(eta)));
      }
    }
    String retries = s.retries() > 0 ? "  retries " + s.retries() : "";
    if (running.length() > 0) {
      return String.format("[%s%s] %d/%d tasks%s%s", s.name(), elapsed, s.tasksDone(), s.tasksTotal(), running, retries);
    }
    double seconds = (now - firstMillis) / 1000.0;
    double rate = seconds > 0.5 ? (s.tasksDone() - firstDone) / seconds : 0;
    int left = s.tasksTotal() - s.tasksDone();
    String eta = rate > 0 ? clockText(Math.round(left / rate)) : "--:--";
    return String.format("[%s%s] stage %s: %d/%d tasks  %.1f tasks/s  ETA %s%s", s.name(), elapsed, s.stage(), s.tasksDone(),
        s.tasksTotal(), rate, eta, retries);
  }

  static String clockText(long seconds) {
    return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format("%d:%02d", seconds / 60, seconds % 60);
  }

  void show(JobStatus s) {
    show(s, null);
  }

  void show(JobStatus s, JsonObject view) {
    String line = format(s, view);
    long now = clock.getAsLong();
    if (terminal) {
      out.print("\r" + line + "   ");
      out.flush();
    } else if (!line.equals(lastLine) && now - lastPrinted >= 2000) {
      out.println(line);
      lastPrinted = now;
    }
    lastLine = line;
  }

  void end(JobStatus s) {
    if (terminal) {
      out.println();
    }
    out.println(String.format("[%s] %s: %d/%d tasks in %.1f s%s", s.name(), s.state(), s.tasksDone(), s.tasksTotal(),
        (s.finishedAtMillis() - s.submittedAtMillis()) / 1000.0, s.cause() == null ? "" : "\n  cause: " + s.cause()));
    List<String> skipped = s.stages().stream().filter(st -> st.state().equals("SKIPPED")).map(JobStatus.StageStatus::name).toList();
    if (!skipped.isEmpty()) {
      out.println("  not started, for the job's budget: " + String.join(", ", skipped) + " (the report and the job's events say why)");
    }
    out.flush();
  }
}
