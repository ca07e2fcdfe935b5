package dev.recap.worker.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.recap.api.Extensions;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.worker.caption.ClipImageTextScorer;
import dev.recap.worker.node.ArtifactStore;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The {@code trained-run} directory a pretrain task declares: everything evaluation and caption
 * scoring load, written whole and renamed into place. It holds {@value #ENCODER_PARAMETERS} (the
 * image tower's DJL parameters, every objective), for clip runs {@value ClipImageTextScorer#PARAMETERS}
 * (the whole CLIP) and {@value ClipImageTextScorer#TOKENIZER}/, the run spec
 * {@value ClipImageTextScorer#RUN_SPEC}, and {@value #DESCRIPTION}
 * {@code {run, encoder, captions, objective, seed, parameters}}, what the evaluation's results
 * name the model by.
 */
public final class TrainedRun {

  /** The directory's name in the task's artifact directory. */
  public static final String NAME = "model";

  /** The image tower's parameters. */
  public static final String ENCODER_PARAMETERS = "encoder.params";

  /** The model's description. */
  public static final String DESCRIPTION = "model.json";

  private TrainedRun() {}

  /**
   * Writes and declares the directory.
   *
   * @param clip the trained CLIP, or null for an image tower trained alone (mae, none)
   * @param tokenizer the CLIP's tokenizer, or null
   * @param description {@code {run, encoder, captions, objective, seed, parameters}}
   */
  public static DeclaredOutput write(ArtifactStore store, ClipRunSpec spec, Block imageTower, ClipModel clip,
      TextTokenizer tokenizer, JsonObject description) throws IOException {
    return writeAt(store, NAME, OutputKind.TRAINED_RUN, spec, imageTower, clip, tokenizer, description);
  }

  /**
   * Writes the same layout under {@code name} and declares it as {@code kind} (a
   * {@link OutputKind#TRAINED_RUN_SNAPSHOT} kept partway through training).
   */
  public static DeclaredOutput writeAt(ArtifactStore store, String name, OutputKind kind, ClipRunSpec spec, Block imageTower,
      ClipModel clip, TextTokenizer tokenizer, JsonObject description) throws IOException {
    return store.writeAt(name, kind, dir -> {
      Files.createDirectories(dir);
      if (clip != null) {
        writeParameters(dir.resolve(ClipImageTextScorer.PARAMETERS), out -> clip.saveParameters(out));
        Path tokenizerDir = dir.resolve(ClipImageTextScorer.TOKENIZER);
        Files.createDirectories(tokenizerDir);
        tokenizer.save(tokenizerDir);
      }
      writeParameters(dir.resolve(ENCODER_PARAMETERS), out -> imageTower.saveParameters(out));
      Files.writeString(dir.resolve(ClipImageTextScorer.RUN_SPEC), spec.toJson(), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(DESCRIPTION), description.encodePrettily(), StandardCharsets.UTF_8);
    });
  }

  /** The description {@link #write} stored in {@code dir}; the message names the file when it is missing or garbled. */
  public static JsonObject description(Path dir) throws IOException {
    Path file = dir.resolve(DESCRIPTION);
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new IOException(file + " is missing: " + dir + " is not a trained-run directory a pretrain task declared", e);
    } catch (io.vertx.core.json.DecodeException e) {
      throw new IOException(file + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  /** A clip run's model as read back: its spec, tokenizer and CLIP with the trained parameters. */
  public record TrainedClip(ClipRunSpec spec, TextTokenizer tokenizer, ClipModel model) {}

  /** The run spec {@link #write} stored in {@code dir}; the message names the file when it is missing or garbled. */
  public static ClipRunSpec spec(Path dir) throws IOException {
    Path file = dir.resolve(ClipImageTextScorer.RUN_SPEC);
    try {
      return ClipRunSpec.fromJson(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new IOException(file + " is missing: " + dir + " is not a trained-run directory a pretrain task declared", e);
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a valid run spec: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a clip run's CLIP (towers from the run spec, tokenizer, trained parameters), its
   * parameters on {@code manager}.
   *
   * @throws IllegalArgumentException if the run is not a clip run (no text tower)
   * @throws IOException naming the file that is missing or does not fit
   */
  public static TrainedClip readClip(Path dir, Extensions extensions, NDManager manager) throws IOException {
    ClipRunSpec spec = spec(dir);
    if (!spec.objective().equals("clip")) {
      throw new IllegalArgumentException(dir + " holds a run with objective '" + spec.objective() + "': only a clip run has a"
          + " text tower and the CLIP projections");
    }
    ClipRunFactory factory = new ClipRunFactory(spec, extensions);
    Path tokenizerDir = dir.resolve(ClipImageTextScorer.TOKENIZER);
    Path params = dir.resolve(ClipImageTextScorer.PARAMETERS);
    if (!Files.isDirectory(tokenizerDir) || !Files.isRegularFile(params)) {
      throw new IOException(dir + " lacks " + (Files.isDirectory(tokenizerDir) ? params : tokenizerDir)
          + ", which a clip pretrain task writes");
    }
    TextTokenizer tokenizer = factory.textEncoder().loadTokenizer(tokenizerDir);
    // the seed only fills parameters that the file then replaces
    ClipModel model = factory.clipModel(manager, tokenizer, 0);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
      model.restoreParameters(manager, new DataInputStream(in));
    } catch (MalformedModelException | RuntimeException e) {
      throw new IOException(params + " does not fit the towers " + ClipImageTextScorer.RUN_SPEC + " describes: " + e.getMessage(), e);
    }
    return new TrainedClip(spec, tokenizer, model);
  }

  private interface ParameterWriter {
    void writeTo(DataOutputStream out) throws IOException;
  }

  private static void writeParameters(Path file, ParameterWriter writer) throws IOException {
    try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file));
        DataOutputStream out = new DataOutputStream(raw)) {
      writer.writeTo(out);
    }
  }
}
