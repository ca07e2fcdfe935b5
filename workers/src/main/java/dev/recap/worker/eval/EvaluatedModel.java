package dev.recap.worker.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.train.CheckpointFiles;
import dev.recap.worker.train.ClipModel;
import dev.recap.worker.train.ClipRunFactory;
import dev.recap.worker.train.ClipRunSpec;
import dev.recap.worker.train.PretrainHandler;
import dev.recap.worker.train.TrainedRun;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What an evaluate task scores: the {@code trained-run} directory of a pretrain task, or an
 * external checkpoint (an OpenCLIP or MobileCLIP safetensors file read into the towers its
 * {@code checkpoints} entry names; the task's config carries that run spec under
 * {@value #CHECKPOINT}). Either way the evaluation gets the run spec, what the results name the
 * model by, the image tower with its weights, and for a CLIP the whole model with its tokenizer.
 */
abstract sealed class EvaluatedModel permits EvaluatedModel.FromTrainedRun, EvaluatedModel.FromCheckpoint {

  /** The task config key that marks an external checkpoint: its run spec (with {@code init}, the file). */
  static final String CHECKPOINT = "checkpoint";

  protected final ClipRunSpec spec;
  protected final ClipRunFactory factory;

  private EvaluatedModel(ClipRunSpec spec, Extensions extensions) {
    this.spec = spec;
    this.factory = new ClipRunFactory(spec, extensions);
  }

  /** The model a task names: its config's {@value #CHECKPOINT} entry, else its {@code pretrained} directory. */
  static EvaluatedModel of(String run, Path pretrained, JsonObject config, Extensions extensions) throws Exception {
    JsonObject checkpoint = config.getJsonObject(CHECKPOINT);
    return checkpoint == null ? new FromTrainedRun(pretrained, extensions) : new FromCheckpoint(run, checkpoint, extensions);
  }

  ClipRunSpec spec() {
    return spec;
  }

  ClipRunFactory factory() {
    return factory;
  }

  /**
   * What the results say of the model: {@code encoder}, {@code captions}, {@code parameters}, and
   * where the trained run recorded them {@code pairsSeen}, {@code step}, {@code snapshot},
   * {@code init}; for a checkpoint {@code objective} and {@code checkpoint} (the file).
   */
  abstract JsonObject description() throws Exception;

  /** The image tower with the model's weights, built with {@code overrides} (a dense mode), initialized on {@code manager}. */
  abstract ImageTower imageTower(NDManager manager, long seed, Map<String, ?> overrides) throws Exception;

  /** The whole CLIP with its tokenizer, on {@code manager}. */
  abstract TrainedRun.TrainedClip clip(NDManager manager, long seed) throws Exception;

  /** A pretrain task's {@code trained-run} directory ({@link TrainedRun}). */
  static final class FromTrainedRun extends EvaluatedModel {
    private final Path dir;
    private final Extensions extensions;

    FromTrainedRun(Path dir, Extensions extensions) throws Exception {
      super(TrainedRun.spec(dir), extensions);
      this.dir = dir;
      this.extensions = extensions;
    }

    @Override
    JsonObject description() throws Exception {
      return TrainedRun.description(dir);
    }

    @Override
    ImageTower imageTower(NDManager manager, long seed, Map<String, ?> overrides) throws Exception {
      ImageTower tower = factory.initializedImageTower(manager, seed, overrides);
      try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(TrainedRun.ENCODER_PARAMETERS)))) {
        tower.block().loadParameters(manager, new DataInputStream(in));
      }
      return tower;
    }

    @Override
    TrainedRun.TrainedClip clip(NDManager manager, long seed) throws Exception {
      if (!spec.objective().equals("clip")) {
        throw new PermanentTaskFailure("run in " + dir + " has objective " + spec.objective() + ": retrieval and zero-shot need a"
            + " clip run (a text tower)");
      }
      return TrainedRun.readClip(dir, extensions, manager);
    }
  }

  /** An external checkpoint: a safetensors file and the towers to read it into. */
  static final class FromCheckpoint extends EvaluatedModel {
    private final String name;
    private final Path file;

    FromCheckpoint(String name, JsonObject checkpoint, Extensions extensions) throws Exception {
      super(CheckpointFiles.forRun(ClipRunSpec.fromJson(checkpoint.encode())), extensions);
      this.name = name;
      this.file = Path.of(spec.init());
      if (!Files.isRegularFile(file)) {
        throw new PermanentTaskFailure("checkpoint '" + name + "': no file at " + file);
      }
    }

    @Override
    JsonObject description() {
      long parameters = 0;
      for (Pair<String, Parameter> p : factory.imageTower().block().getParameters()) {
        Shape s = p.getValue().getShape();
        parameters += s == null ? 0 : s.size();
      }
      return new JsonObject().put("run", name).put("encoder", PretrainHandler.encoderName(spec)).put("captions", "checkpoint")
          .put("objective", "checkpoint").put("parameters", parameters).put("checkpoint", file.toString());
    }

    @Override
    ImageTower imageTower(NDManager manager, long seed, Map<String, ?> overrides) throws Exception {
      ImageTower tower = factory.initializedImageTower(manager, seed, overrides);
      factory.loadInitImageTower(tower.block());
      return tower;
    }

    @Override
    TrainedRun.TrainedClip clip(NDManager manager, long seed) throws Exception {
      if (!spec.objective().equals("clip")) {
        throw new PermanentTaskFailure("checkpoint '" + name + "' has no text tower (text: none): retrieval and zero-shot need one");
      }
      TextEncoder text = factory.textEncoder();
      PluginConfig textConfig = text.resolve(PluginConfig.of(spec.textConfig()));
      TextTokenizer tokenizer = textConfig.has("tokenizer") ? text.tokenizer(textConfig, null)
          : CheckpointFiles.of(file).tokenizer(text, textConfig);
      ClipModel model = factory.startingClipModel(manager, tokenizer, seed);
      return new TrainedRun.TrainedClip(spec, tokenizer, model);
    }
  }
}
