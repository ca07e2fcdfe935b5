package dev.recap.coordinator.cli;

import dev.recap.coordinator.spec.Budget;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code recap assess}: should these shards be recaptioned? Writes the job spec {@link AssessSpec}
 * builds, then runs it as {@code recap run} does (embedded), or sends it to a running coordinator
 * as {@code recap submit --wait} does ({@code --submit}), or only writes it ({@code --print-spec}).
 */
@Command(name = "assess", mixinStandardHelpOptions = true,
    description = "Should I recaption my data? Trains matched small CLIPs on a proxy of your shards with their original and with"
        + " recaptioned captions, probes them, and reports the difference with its confidence interval.")
final class AssessCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--shards", required = true, paramLabel = "PATTERN",
      description = "Your WebDataset shards: a brace pattern, a glob or a path, e.g. 'crawl/{00000..01023}.tar'.")
  String shards;

  @Option(names = "--dense", paramLabel = "FORMAT:FOLDER",
      description = "Dense benchmark for the frozen probe: ade20k:<ADEChallengeData2016 folder> or nyuv2:<nyu_depth_v2 folder>"
          + " (default: none, retrieval only).")
  String dense;

  @Option(names = "--captioner", defaultValue = "learned", paramLabel = "C",
      description = "learned (trained on --reference captions), torchscript:<model.pt> (tokenizer.json beside it) or"
          + " json:<field> (recaptions already in each sample's key.json) (default: ${DEFAULT-VALUE}).")
  String captioner;

  @Option(names = "--reference", paramLabel = "json:FIELD",
      description = "Field of key.json holding trusted captions the learned captioner trains on.")
  String reference;

  @Option(names = "--caption", defaultValue = "txt", paramLabel = "SRC",
      description = "Where the original caption is: txt (key.txt) or json:<field> (default: ${DEFAULT-VALUE}).")
  String caption;

  @Option(names = "--budget", defaultValue = "30m", description = "Wall-time budget: 30m, 2h, 1h30m (default: ${DEFAULT-VALUE}).")
  String budget;

  @Option(names = "--seeds", defaultValue = "3", description = "Seeds at most; the budget may stop earlier (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--encoder", defaultValue = "vit-tiny", description = "ViT preset of the small CLIPs (default: ${DEFAULT-VALUE}).")
  String encoder;

  @Option(names = "--images-per-second", defaultValue = "0", paramLabel = "N",
      description = "A worker's CLIP training speed for sizing the proxy, e.g. the trainer images/s an earlier report states."
          + " Embedded, the default is to measure it first (a short calibration run on the first shard); with --submit or"
          + " --print-spec it is " + (int) AssessSpec.DEFAULT_IMAGES_PER_SECOND + ", measured on a 2-core machine.")
  double imagesPerSecond;

  @Option(names = "--print-spec", paramLabel = "FILE", description = "Write the job spec to FILE and exit (edit it, then recap run FILE).")
  Path printSpec;

  @Option(names = {"-w", "--workers"}, defaultValue = "2", description = "Embedded workers, or the workers of the cluster (--submit) for sizing (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--submit", description = "Send the job to a running coordinator (as recap submit --wait) instead of running it embedded.")
  boolean submit;

  @Option(names = "--state", description = "With --submit: the coordinator's state directory (as recap submit); embedded: the journal directory.")
  Path state;

  @Option(names = "--api", description = "With --submit: the coordinator's API URL.")
  String api;

  @Option(names = "--token", description = "With --submit: the API token.")
  String token;

  @Option(names = "--artifacts", description = "Embedded: artifact root (as recap run).")
  Path artifacts;

  @Option(names = "--plugins", description = "Embedded: plugin jars directory (as recap run).")
  Path plugins;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    Path here = Path.of("").toAbsolutePath();
    AssessSpec.Options options = new AssessSpec.Options(shards, dense, captioner, reference, caption, budget, seeds, encoder,
        workers, imagesPerSecond, here);
    AssessSpec assess;
    try {
      assess = checked(AssessSpec.of(options), here); // every option checked before anything runs
      if (printSpec == null && !submit && imagesPerSecond == 0) {
        AssessCalibration.Result calibration = calibrate(options, assess.firstShard());
        if (calibration == null) {
          return RecapCli.ERROR;
        }
        assess = checked(AssessSpec.of(options, calibration), here);
      }
    } catch (IllegalArgumentException e) {
      err.println("recap assess: " + e.getMessage());
      return RecapCli.INVALID;
    } catch (SpecException e) {
      err.println("recap assess: the generated spec is invalid (a bug): " + e.getMessage());
      return RecapCli.ERROR;
    }
    out.println(assess.sizing());
    Path file = printSpec != null ? printSpec : Files.createTempFile("recap-assess-", ".yaml");
    Files.writeString(file, assess.yaml());
    if (printSpec != null) {
      out.println("spec written to " + file + "; run it with: recap run " + file);
      return RecapCli.OK;
    }
    List<String> args;
    if (submit) {
      args = new ArrayList<>();
      args.addAll(List.of("submit", file.toString(), "--wait"));
      if (state != null) {
        args.addAll(List.of("--state", state.toString()));
      }
      if (api != null) {
        args.addAll(List.of("--api", api));
      }
      if (token != null) {
        args.addAll(List.of("--token", token));
      }
    } else {
      args = runArgs(file, state);
    }
    return execute(args);
  }

  private static AssessSpec checked(AssessSpec assess, Path here) throws SpecException {
    JobSpecParser.parse(assess.yaml(), "recap assess", here);
    return assess;
  }

  /** {@code recap run FILE} on the embedded cluster this command was asked for. */
  private List<String> runArgs(Path file, Path stateDir) {
    List<String> args = new ArrayList<>(List.of("run", file.toString(), "--workers", Integer.toString(workers)));
    if (stateDir != null) {
      args.addAll(List.of("--state", stateDir.toString()));
    }
    if (artifacts != null) {
      args.addAll(List.of("--artifacts", artifacts.toString()));
    }
    if (plugins != null) {
      args.addAll(List.of("--plugins", plugins.toString()));
    }
    return args;
  }

  private int execute(List<String> args) {
    CommandLine cli = new CommandLine(new RecapCli());
    cli.setOut(spec.commandLine().getOut());
    cli.setErr(spec.commandLine().getErr());
    cli.setExecutionExceptionHandler(spec.commandLine().getExecutionExceptionHandler());
    return cli.execute(args.toArray(String[]::new));
  }

  /**
   * Measures the trainer's speed on the embedded workers ({@link AssessCalibration}); null, with
   * the reason printed, when the calibration job fails (its files are kept for a look).
   */
  private AssessCalibration.Result calibrate(AssessSpec.Options options, Path shard) throws IOException {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    long start = System.nanoTime();
    int runs = Math.min(2, workers);
    Path dir = Files.createTempDirectory("recap-calibration-");
    Path file = dir.resolve("calibration.yaml");
    Files.writeString(file, AssessCalibration.yaml(options, shard, runs, dir.resolve("artifacts")));
    out.printf(Locale.ROOT, "calibrating the trainer: %d CLIP run(s) of %d steps side by side on %s, to size the proxy with"
        + " this machine's speed (--images-per-second N skips this)%n", runs, AssessCalibration.STEPS, shard);
    out.flush();
    int code = execute(runArgs(file, dir.resolve("state")));
    double imagesPerSecond;
    try {
      if (code != RecapCli.OK) {
        throw new IOException("the calibration job ended with exit code " + code);
      }
      imagesPerSecond = AssessCalibration.imagesPerSecond(dir.resolve("artifacts"));
    } catch (IOException e) {
      err.println("recap assess: could not measure the trainer's speed: " + e.getMessage() + ". Its spec and files are in " + dir
          + "; pass --images-per-second N (a worker's training images/s) to size the proxy without the calibration.");
      return null;
    }
    var result = new AssessCalibration.Result(imagesPerSecond, runs, Math.round((System.nanoTime() - start) / 1e9));
    out.printf(Locale.ROOT, "calibration: %.1f images/s per worker, in %s%n", imagesPerSecond,
        Budget.format(result.seconds()));
    deleteTree(dir);
    return result;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
