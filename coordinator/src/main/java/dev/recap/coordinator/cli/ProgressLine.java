package dev.recap.coordinator.cli;

import dev.recap.coordinator.run.JobStatus;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * The one-line progress display: stage, tasks done / total, rate, ETA. Rewrites itself with
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
    long now = clock.getAsLong();
    if (firstMillis < 0) {
      firstMillis = now;
      firstDone = s.tasksDone();
    }
    double seconds = (now - firstMillis) / 1000.0;
    double rate = seconds > 0.5 ? (s.tasksDone() - firstDone) / seconds : 0;
    int left = s.tasksTotal() - s.tasksDone();
    String eta = rate > 0 ? clockText(Math.round(left / rate)) : "--:--";
    return String.format("[%s] stage %s: %d/%d tasks  %.1f tasks/s  ETA %s%s", s.name(), s.stage(), s.tasksDone(),
        s.tasksTotal(), rate, eta, s.retries() > 0 ? "  retries " + s.retries() : "");
  }

  static String clockText(long seconds) {
    return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format("%d:%02d", seconds / 60, seconds % 60);
  }

  void show(JobStatus s) {
    String line = format(s);
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
    out.flush();
  }
}
