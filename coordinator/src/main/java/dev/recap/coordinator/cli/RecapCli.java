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
        StatusCommand.class, ExportCommand.class})
public final class RecapCli {

  public static final int OK = 0;
  public static final int JOB_FAILED = 1;
  public static final int INVALID = 2;
  public static final int ERROR = 3;

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
