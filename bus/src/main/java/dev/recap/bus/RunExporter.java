package dev.recap.bus;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Writes a trained run as a checkpoint that other frameworks load (OpenCLIP's or MobileCLIP's
 * state-dict layout), without the coordinator compiling against the workers module: the
 * {@code recap export} command finds the implementation with {@link ServiceLoader} at run time,
 * as the embedded mode finds its {@link WorkerLauncher}.
 */
public interface RunExporter {

  /**
   * What to export.
   *
   * @param runDir a {@code trained-run} directory as a pretrain task writes it ({@code run.json},
   *     {@code clip.params}, {@code tokenizer/}, ...)
   * @param format {@code openclip} or {@code mobileclip}
   * @param outDir where the checkpoint goes (created if missing)
   * @param pluginsDir the plugin jars that built the run's encoders
   */
  record Request(Path runDir, String format, Path outDir, Path pluginsDir) {
    public Request {
      Objects.requireNonNull(runDir, "runDir");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(outDir, "outDir");
    }
  }

  /**
   * What was written.
   *
   * @param files the checkpoint, its config and the tokenizer directory, in that order
   * @param tensors how many tensors the checkpoint holds
   * @param parameters how many scalar values
   */
  record Exported(List<Path> files, int tensors, long parameters) {
    public Exported {
      files = List.copyOf(files);
    }
  }

  /**
   * Exports one run.
   *
   * @throws IllegalArgumentException when the request cannot be exported (no trained run in
   *     {@code runDir}, an unknown format, a format that does not fit the run's image encoder),
   *     saying what to change
   */
  Exported export(Request request) throws Exception;

  /**
   * The exporter on the class path.
   *
   * @throws IllegalStateException if none is (the workers module is missing from the class path)
   */
  static RunExporter find() {
    return ServiceLoader.load(RunExporter.class).findFirst().orElseThrow(() -> new IllegalStateException(
        "no dev.recap.bus.RunExporter on the class path: put recap-workers (lib/recap-workers-*.jar) on it"));
  }
}
