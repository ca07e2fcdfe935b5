package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.RunExporter;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.WorkerPlugins;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code recap export} then {@code init}: a clip run of the real vit, mci and text-transformer
 * plugins, its parameters scrambled away from their initial values (BatchNorm statistics,
 * LayerNorm gains, biases, the logit scale included), written as a trained run, exported in its
 * layout, and read back into a model built with another seed gives identical outputs: image and
 * text embeddings, every dense level, the logit scale.
 */
class CheckpointRoundTripTest {

  @TempDir
  static Path tmp;

  private static WorkerPlugins plugins;
  private static Path pluginsFolder;

  private static final List<String> CORPUS = List.of("a red circle on the left", "two blue squares far away",
      "a green triangle near a yellow ring", "an empty ground plane under a blue sky");

  @BeforeAll
  static void loadPlugins() throws Exception {
    pluginsFolder = EncoderPluginJars.folder(tmp);
    plugins = WorkerPlugins.load(pluginsFolder);
  }

  @AfterAll
  static void closePlugins() {
    plugins.close();
  }

  private static ClipRunSpec spec(String image, String preset, Map<String, Object> extra, String init) {
    Map<String, Object> imageConfig = new LinkedHashMap<>(Map.of("preset", preset));
    Map<String, Object> textConfig = new LinkedHashMap<>(Map.of("preset", "text-tiny", "context", 16));
    imageConfig.putAll(extra);
    textConfig.putAll(extra);
    return new ClipRunSpec("clip", image, imageConfig, "text-transformer", textConfig, 24, 64, 8, 1, 0, 1e-3, 0, 1, 0.75, 16, 1,
        dev.recap.worker.data.AugmentPolicy.openClip(), init);
  }

  /** Every parameter moved away from its initializer's pattern (running variances kept positive). */
  private static void scramble(ClipModel model, NDManager manager) {
    for (Parameter p : model.parameterList()) {
      NDArray a = p.getArray();
      NDArray noise = manager.randomNormal(0, 0.1f, a.getShape(), DataType.FLOAT32);
      a.addi(p.getType() == Parameter.Type.RUNNING_VAR ? noise.abs() : noise);
    }
  }

  /** Image embeddings, text embeddings, the scale and every dense level of the image tower, flattened. */
  private static List<float[]> outputs(ClipModel model, TextTokenizer tokenizer, NDManager manager) {
    ParameterStore ps = new ParameterStore(manager, false);
    manager.getEngine().setRandomSeed(11);
    NDArray images = manager.randomNormal(new Shape(2, 3, 64, 64));
    long[][] tokens = {tokenizer.encode(CORPUS.get(0)), tokenizer.encode(CORPUS.get(2))};
    List<float[]> out = new ArrayList<>();
    out.add(model.encodeImages(ps, images, false).toFloatArray());
    out.add(model.encodeTexts(ps, manager.create(tokens), false).toFloatArray());
    out.add(model.scale(ps, manager, false).toFloatArray());
    for (NDArray level : model.imageTower().block().forward(ps, new NDList(images), false)) {
      out.add(level.toFloatArray());
    }
    return out;
  }

  private static Path trainedRun(ClipRunSpec spec, ClipModel model, TextTokenizer tokenizer, String task) throws Exception {
    FileArtifactStore store = new FileArtifactStore(tmp.resolve("artifacts"), "job", task);
    JsonObject description = new JsonObject().put("run", task).put("encoder", spec.imageEncoder()).put("captions", "quality")
        .put("objective", "clip").put("seed", 3).put("parameters", 0);
    return Path.of(TrainedRun.write(store, spec, model.imageTower().block(), model, tokenizer, description).getPath());
  }

  @ParameterizedTest(name = "{0} {1} as {2}, activation {3}")
  @CsvSource({"vit, vit-tiny, openclip, gelu", "vit, vit-tiny, openclip, quick_gelu", "mci, mci-tiny, mobileclip, gelu",
      "mci, mci-tiny, mobileclip, quick_gelu"})
  void exportThenInitGivesIdenticalOutputs(String image, String preset, String format, String activation) throws Exception {
    Map<String, Object> act = activation.equals("gelu") ? Map.of() : Map.of("activation", activation);
    ClipRunSpec trained = spec(image, preset, act, "");
    List<float[]> expected;
    Path runDir;
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipRunFactory factory = new ClipRunFactory(trained, plugins.extensions());
      TextTokenizer tokenizer = factory.tokenizer(CORPUS);
      ClipModel model = factory.clipModel(manager, tokenizer, 3);
      scramble(model, manager);
      expected = outputs(model, tokenizer, manager);
      runDir = trainedRun(trained, model, tokenizer, image + "-" + activation);
    }

    Path out = tmp.resolve("export-" + image + "-" + activation);
    RunExporter.Exported exported = new TrainedRunExport().export(new RunExporter.Request(runDir, format, out, pluginsFolder));
    ClipCheckpoint.Layout layout = ClipCheckpoint.Layout.ofFormat(format).orElseThrow();
    Path file = out.resolve(layout.modelFile());
    assertEquals(List.of(file, out.resolve(layout.configFile()), out.resolve(CheckpointFiles.RECAP_TOKENIZER)), exported.files());
    JsonObject config = new JsonObject(Files.readString(out.resolve(layout.configFile())));
    boolean quick = activation.equals("quick_gelu");
    assertEquals(quick, (format.equals("openclip") ? config.getJsonObject("model_cfg") : config).getBoolean("quick_gelu"));

    // the run that starts from it names neither the activation nor the tokenizer: both come from beside the file
    ClipRunSpec init = CheckpointFiles.of(file).withCheckpointActivation(spec(image, preset, Map.of(), file.toString()));
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipRunFactory factory = new ClipRunFactory(init, plugins.extensions());
      TextTokenizer tokenizer = factory.tokenizer(List.of("a corpus that would train another vocabulary"));
      assertArrayEquals(new TextTokenizer[] {tokenizer}[0].encode(CORPUS.get(2)),
          plugins.extensions().get(dev.recap.api.encoder.TextEncoder.class, "text-transformer")
              .loadTokenizer(runDir.resolve("tokenizer")).encode(CORPUS.get(2)), "the export's tokenizer");
      ClipModel fresh = factory.clipModel(manager, tokenizer, 9);
      List<float[]> before = outputs(fresh, tokenizer, manager);
      assertFalse(java.util.Arrays.equals(expected.get(0), before.get(0)), "another seed differs before reading the checkpoint");
      ClipModel model = factory.startingClipModel(manager, tokenizer, 9);
      List<float[]> actual = outputs(model, tokenizer, manager);
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        assertArrayEquals(expected.get(i), actual.get(i), "output " + i + " (0 image, 1 text, 2 scale, 3.. dense levels)");
      }
      // a tower alone (a masked-image or untrained run starting from the checkpoint) reads the image tensors only
      ImageTower tower = factory.initializedImageTower(manager, 5);
      List<String> aside = factory.loadInitImageTower(tower.block());
      assertTrue(aside.contains("logit_scale") && aside.contains(layout.imageProjection()), "left aside: " + aside);
      NDArray images = manager.randomNormal(new Shape(2, 3, 64, 64));
      assertArrayEquals(model.imageTower().block().forward(new ParameterStore(manager, false), new NDList(images), false)
          .get(1).toFloatArray(), tower.block().forward(new ParameterStore(manager, false), new NDList(images), false)
          .get(1).toFloatArray());
    }
  }

  @Test
  void aFormatThatDoesNotFitTheEncoderIsRefusedNamingTheRightOne() throws Exception {
    ClipRunSpec trained = spec("mci", "mci-tiny", Map.of(), "");
    Path runDir;
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipRunFactory factory = new ClipRunFactory(trained, plugins.extensions());
      TextTokenizer tokenizer = factory.tokenizer(CORPUS);
      runDir = trainedRun(trained, factory.clipModel(manager, tokenizer, 3), tokenizer, "mci-wrong-format");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainedRunExport()
        .export(new RunExporter.Request(runDir, "openclip", tmp.resolve("wrong"), pluginsFolder)));
    assertTrue(e.getMessage().contains("use --format mobileclip"), e.getMessage());
  }

  @Test
  void aCheckpointTrainedWithQuickGeluRefusesATowerConfiguredOtherwise() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("quick"));
    Path file = dir.resolve("open_clip_model.safetensors");
    Files.writeString(dir.resolve(CheckpointFiles.OPENCLIP_CONFIG), "{\"model_cfg\": {\"quick_gelu\": true}}");
    ClipRunSpec spec = spec("vit", "vit-tiny", Map.of("activation", "gelu"), file.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointFiles.of(file).withCheckpointActivation(spec));
    assertTrue(e.getMessage().contains("trained with quick_gelu"), e.getMessage());
    ClipRunSpec quick = CheckpointFiles.of(file).withCheckpointActivation(spec("vit", "vit-tiny", Map.of(), file.toString()));
    assertEquals("quick_gelu", quick.imageConfig().get("activation"));
    assertEquals("quick_gelu", quick.textConfig().get("activation"));
  }
}
