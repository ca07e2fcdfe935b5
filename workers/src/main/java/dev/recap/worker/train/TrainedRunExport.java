package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.Gelu;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.bus.RunExporter;
import dev.recap.worker.caption.ClipImageTextScorer;
import dev.recap.worker.data.Augmentation;
import dev.recap.worker.node.WorkerPlugins;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code recap export}: a clip run's {@code trained-run} directory as a checkpoint in the layout
 * of the framework its image tower comes from, written into one folder as a Hugging Face model
 * repository holds it:
 *
 * <ul>
 *   <li>{@code --format openclip} (the {@code vit} encoder): {@code open_clip_model.safetensors}
 *       with OpenCLIP's state-dict names ({@link ClipCheckpoint}) and {@value
 *       CheckpointFiles#OPENCLIP_CONFIG} {@code {model_cfg: {embed_dim, quick_gelu, vision_cfg,
 *       text_cfg}, preprocess_cfg: {mean, std}}}, the towers' parts from their encoders'
 *       {@code exportConfig};
 *   <li>{@code --format mobileclip} (the {@code mci} encoder): {@code mobileclip_model.safetensors}
 *       with the image tower under MobileCLIP's names and {@value CheckpointFiles#MOBILECLIP_CONFIG}
 *       {@code {embed_dim, image_cfg, text_cfg, quick_gelu, preprocess_cfg}}. The text tower keeps
 *       OpenCLIP's names ({@code text_cfg.layout: open_clip}): Recap's text tower is OpenCLIP's
 *       causal transformer, not MobileCLIP's;
 *   <li>{@value CheckpointFiles#RECAP_TOKENIZER}/, the run's tokenizer as Recap saves it, so that
 *       Recap reads the export back ({@code init}, evaluate's {@code checkpoints}) with the same
 *       token ids.
 * </ul>
 */
public final class TrainedRunExport implements RunExporter {

  @Override
  public Exported export(Request request) throws Exception {
    ClipCheckpoint.Layout layout = ClipCheckpoint.Layout.ofFormat(request.format()).orElseThrow(() ->
        new IllegalArgumentException("unknown format '" + request.format() + "': use openclip (vit runs) or mobileclip (mci runs)"));
    Path runDir = request.runDir();
    if (!Files.isDirectory(runDir)) {
      throw new IllegalArgumentException(runDir + " is not a directory: name a trained run's folder (a pretrain task's model/)");
    }
    try (WorkerPlugins plugins = WorkerPlugins.load(request.pluginsDir());
        NDManager manager = NDManager.newBaseManager()) {
      Extensions extensions = plugins.extensions();
      TrainedRun.TrainedClip clip;
      try {
        clip = TrainedRun.readClip(runDir, extensions, manager);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + "; recap export writes CLIP checkpoints", e);
      }
      ClipRunSpec spec = clip.spec();
      ImageEncoder image = extensions.get(ImageEncoder.class, spec.imageEncoder());
      TextEncoder text = extensions.get(TextEncoder.class, spec.textEncoder());
      ClipCheckpoint checkpoint = new ClipCheckpoint(image::exportName, text::exportName);
      ClipCheckpoint.Layout runLayout = checkpoint.layout(clip.model().imageTower().block());
      if (runLayout != layout) {
        throw new IllegalArgumentException("run " + runDir + " has the image encoder '" + spec.imageEncoder() + "', whose weights"
            + " export in the " + runLayout.formatName() + " layout: use --format " + runLayout.formatName());
      }
      Files.createDirectories(request.outDir());
      Path model = request.outDir().resolve(layout.modelFile());
      JsonObject description = TrainedRun.description(runDir);
      checkpoint.write(clip.model(), model, Map.of("format", "pt", "producer", "recap",
          "run", String.valueOf(description.getValue("run")), "seed", String.valueOf(description.getValue("seed"))));
      PluginConfig imageConfig = image.resolve(PluginConfig.of(spec.imageConfig()));
      PluginConfig textConfig = text.resolve(PluginConfig.of(spec.textConfig()));
      JsonObject config = layout == ClipCheckpoint.Layout.OPENCLIP
          ? openClipConfig(spec, image, imageConfig, text, textConfig, clip)
          : mobileClipConfig(spec, image, imageConfig, text, textConfig, clip);
      Path configFile = request.outDir().resolve(layout.configFile());
      Files.writeString(configFile, config.encodePrettily() + "\n", StandardCharsets.UTF_8);
      Path tokenizer = request.outDir().resolve(CheckpointFiles.RECAP_TOKENIZER);
      copyDirectory(runDir.resolve(ClipImageTextScorer.TOKENIZER), tokenizer);
      long values = 0;
      Map<String, Parameter> named = checkpoint.named(clip.model());
      for (Parameter p : named.values()) {
        values += p.getArray().size();
      }
      return new Exported(List.of(model, configFile, tokenizer), named.size(), values);
    }
  }

  /** OpenCLIP's Hugging Face config: {@code {model_cfg, preprocess_cfg}}. */
  static JsonObject openClipConfig(ClipRunSpec spec, ImageEncoder image, PluginConfig imageConfig, TextEncoder text,
      PluginConfig textConfig, TrainedRun.TrainedClip clip) {
    JsonObject model = new JsonObject().put("embed_dim", spec.embedDim()).put("quick_gelu", quickGelu(imageConfig, textConfig))
        .put("vision_cfg", new JsonObject(image.exportConfig(imageConfig)))
        .put("text_cfg", new JsonObject(text.exportConfig(textConfig, clip.tokenizer())));
    return new JsonObject().put("model_cfg", model).put("preprocess_cfg", preprocess());
  }

  /** MobileCLIP's config ({@code embed_dim, image_cfg, text_cfg}), the text tower's described as OpenCLIP's. */
  static JsonObject mobileClipConfig(ClipRunSpec spec, ImageEncoder image, PluginConfig imageConfig, TextEncoder text,
      PluginConfig textConfig, TrainedRun.TrainedClip clip) {
    JsonObject imageCfg = new JsonObject().put("image_size", spec.imageSize());
    image.exportConfig(imageConfig).forEach(imageCfg::put);
    JsonObject textCfg = new JsonObject().put("layout", "open_clip").put("causal_masking", true);
    text.exportConfig(textConfig, clip.tokenizer()).forEach(textCfg::put);
    // the mci tower has no GELU choice: the flag is the text tower's
    return new JsonObject().put("embed_dim", spec.embedDim()).put("image_cfg", imageCfg).put("text_cfg", textCfg)
        .put("quick_gelu", Gelu.of(textConfig.getString(Gelu.CONFIG_KEY, null)) == Gelu.QUICK).put("preprocess_cfg", preprocess());
  }

  /** The normalization Recap trains with (CLIP's mean and std). */
  private static JsonObject preprocess() {
    JsonArray mean = new JsonArray();
    JsonArray std = new JsonArray();
    for (int c = 0; c < 3; c++) {
      // the shortest decimal of each float32 (0.48145467, not 0.48145467042922974)
      mean.add(Double.parseDouble(Float.toString(Augmentation.CLIP_MEAN[c])));
      std.add(Double.parseDouble(Float.toString(Augmentation.CLIP_STD[c])));
    }
    return new JsonObject().put("mean", mean).put("std", std);
  }

  /** OpenCLIP sets QuickGELU for the whole model: both towers must agree. */
  private static boolean quickGelu(PluginConfig imageConfig, PluginConfig textConfig) {
    Gelu image = Gelu.of(imageConfig.getString(Gelu.CONFIG_KEY, null));
    Gelu text = Gelu.of(textConfig.getString(Gelu.CONFIG_KEY, null));
    if (image != text) {
      throw new IllegalArgumentException("the image tower uses " + image.configValue() + " and the text tower "
          + text.configValue() + ": the checkpoint's config has one quick_gelu flag for both");
    }
    return image == Gelu.QUICK;
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
