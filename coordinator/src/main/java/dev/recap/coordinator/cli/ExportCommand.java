package dev.recap.coordinator.cli;

import dev.recap.bus.RunExporter;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code recap export RUN_DIR --format openclip|mobileclip [--out DIR]}: a trained clip run as a
 * checkpoint OpenCLIP (or MobileCLIP) loads. Runs locally, no coordinator needed; the work is the
 * workers module's ({@link RunExporter}, found at run time).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a trained clip run as an OpenCLIP (vit) or MobileCLIP (mci) checkpoint: safetensors, its config and the tokenizer.")
final class ExportCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_DIR",
      description = "A trained run's folder (the model/ folder a pretrain task declares, or the task folder holding it).")
  Path runDir;

  @Option(names = "--format", required = true, description = "openclip (vit runs) or mobileclip (mci runs).")
  String format;

  @Option(names = "--out", description = "Output folder (default: ./<run>-s<seed>-<format>).")
  Path out;

  @Option(names = "--plugins", description = "Plugin jars directory (default: <recap home>/plugins).")
  Path plugins;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    Path dir = Files.isRegularFile(runDir.resolve("run.json")) || !Files.isRegularFile(runDir.resolve("model/run.json"))
        ? runDir : runDir.resolve("model");
    if (!Files.isRegularFile(dir.resolve("run.json"))) {
      err.println("recap export: " + runDir.toAbsolutePath() + " holds no run.json: name a trained run's folder (the model/"
          + " folder of a pretrain task, under <artifacts>/<job>/<job>_<stage>_<task>/)");
      return RecapCli.INVALID;
    }
    String fmt = format.trim().toLowerCase(Locale.ROOT);
    Path target = out != null ? out : Path.of(defaultName(dir, fmt));
    RunExporter.Exported exported;
    try {
      exported = RunExporter.find().export(new RunExporter.Request(dir, fmt, target, RunCommand.pluginsDir(plugins)));
    } catch (IllegalArgumentException e) {
      err.println("recap export: " + e.getMessage());
      return RecapCli.INVALID;
    }
    var o = spec.commandLine().getOut();
    o.printf("exported %s as %s: %d tensors, %,d values%n", dir, fmt, exported.tensors(), exported.parameters());
    exported.files().forEach(f -> o.println("  " + f.toAbsolutePath()));
    return RecapCli.OK;
  }

  /** {@code <run>-s<seed>-<format>} from the run's model.json, or the folder's name. */
  private static String defaultName(Path dir, String format) {
    try {
      JsonObject d = new JsonObject(Files.readString(dir.resolve("model.json")));
      return d.getString("run") + "-s" + d.getValue("seed") + "-" + format;
    } catch (Exception e) {
      return dir.toAbsolutePath().getFileName() + "-" + format;
    }
  }
}
