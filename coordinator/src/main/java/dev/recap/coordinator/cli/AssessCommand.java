package dev.recap.coordinator.cli;

import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
      description = "A worker's CLIP training speed for sizing the proxy, e.g. the trainer images/s an earlier report states"
          + " (default: " + (int) AssessSpec.DEFAULT_IMAGES_PER_SECOND + ", measured on a 2-core machine).")
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
    AssessSpec assess;
    try {
      assess = AssessSpec.of(new AssessSpec.Options(shards, dense, captioner, reference, caption, budget, seeds, encoder, workers,
          imagesPerSecond, here));
      JobSpecParser.parse(assess.yaml(), "recap assess", here);
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
    List<String> args = new ArrayList<>();
    if (submit) {
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
      args.addAll(List.of("run", file.toString(), "--workers", Integer.toString(workers)));
      if (state != null) {
        args.addAll(List.of("--state", state.toString()));
      }
      if (artifacts != null) {
        args.addAll(List.of("--artifacts", artifacts.toString()));
      }
      if (plugins != null) {
        args.addAll(List.of("--plugins", plugins.toString()));
      }
    }
    CommandLine cli = new CommandLine(new RecapCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(spec.commandLine().getExecutionExceptionHandler());
    return cli.execute(args.toArray(String[]::new));
  }
}
