package dev.recap.coordinator.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code recap}: the entry point of the distribution ({@code bin/recap}).
 *
 * <p>Exit codes: 0 success, 1 the job failed, 2 invalid job spec or usage, 3 any other error.
 */
@Command(name = "recap", mixinStandardHelpOptions = true, version = "recap 0.1.0",
    description = "Curate captions, pretrain CLIP on a worker pool, evaluate dense heads.",
    subcommands = {RunCommand.class, CoordinatorCommand.class, WorkerCommand.class, SubmitCommand.class,
        StatusCommand.class, ExportCommand.class, PluginCommand.class, AssessCommand.class})
public final class RecapCli {

  public static final int OK = 0;
  public static final int JOB_FAILED = 1;
  public static final int INVALID = 2;
  public static final int ERROR = 3;

  /**
   * Applies {@code --precision}: fp32 or bf16 force that arithmetic on this JVM's workers (the
   * {@code recap.precision} property), auto leaves the choice to each worker's hardware (or to a
   * {@code recap.precision} / {@code RECAP_PRECISION} already set). False, with the reason on
   * {@code err}, for any other value.
   */
  static boolean choosePrecision(String value, PrintWriter err, String command) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    switch (v) {
      case "auto" -> {
        return true;
      }
      case "fp32", "bf16" -> {
        System.setProperty("recap.precision", v); // what the workers' Precision.forDevice reads
        return true;
      }
      default -> {
        err.println(command + ": --precision must be auto, fp32 or bf16, got '" + value + "'");
        return false;
      }
    }
  }

  /** Runs a command line and returns its exit code (what {@link #main} exits with). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new RecapCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("recap: " + e.getMessage());
      return ERROR;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  public static void main(String[] args) {
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }
}
