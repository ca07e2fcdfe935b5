package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.RunExporter;
import dev.recap.worker.data.AugmentPolicy;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.WorkerPlugins;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exports CLIP runs with {@code recap export}'s code and writes, beside each export, an input batch
 * and Recap's embeddings of it (raw little-endian files and {@code manifest.tsv}: name, file, dtype,
 * shape), for {@code src/test/python/openclip_export_parity.py} to load the export into a plain
 * PyTorch module with OpenCLIP's layout and compare. Not a unit test: run by hand (see the script).
 *
 * <p>Arguments: an output folder, the plugins folder, and optionally trained-run folders to export
 * (e.g. a pretrain task's {@code model/}). Besides those it always writes {@code quick-gelu}: a
 * seeded vit-tiny + text-tiny CLIP with QuickGELU, its parameters scrambled, so the config's
 * {@code quick_gelu} path is checked too.
 */
public final class ExportParityDump {

  private static final List<String> CAPTIONS = List.of("a red circle on the left", "two blue squares far away",
      "a large green triangle near a yellow ring", "an empty ground plane under a blue sky", "a small cross in front of a bar",
      "three objects stand on a checkered ground plane", "a purple diamond, about 4.5 metres away", "a white ring");

  private ExportParityDump() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Path plugins = Path.of(args[1]);
    try (WorkerPlugins loaded = WorkerPlugins.load(plugins)) {
      List<Path> runs = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        runs.add(Path.of(args[i]));
      }
      runs.add(quickGeluRun(loaded, out.resolve("quick-gelu")));
      for (int i = 0; i < runs.size(); i++) {
        Path caseDir = out.resolve(i == runs.size() - 1 ? "quick-gelu" : "run-" + i);
        Path export = caseDir.resolve("export");
        new TrainedRunExport().export(new RunExporter.Request(runs.get(i), "openclip", export, plugins));
        dump(loaded, runs.get(i), caseDir);
        System.out.println("wrote " + caseDir.toAbsolutePath() + " (run " + runs.get(i) + ")");
      }
    }
  }

  /** A seeded vit-tiny + text-tiny CLIP with QuickGELU, parameters scrambled, written as a trained run. */
  private static Path quickGeluRun(WorkerPlugins plugins, Path dir) throws Exception {
    ClipRunSpec spec = new ClipRunSpec("clip", "vit", Map.of("preset", "vit-tiny", "activation", "quick_gelu"), "text-transformer",
        Map.of("preset", "text-tiny", "activation", "quick_gelu"), 128, 64, 8, 1, 0, 1e-3, 0, 1, 0.75, 16, 1,
        AugmentPolicy.openClip(), "");
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipRunFactory factory = new ClipRunFactory(spec, plugins.extensions());
      TextTokenizer tokenizer = factory.tokenizer(CAPTIONS);
      ClipModel model = factory.clipModel(manager, tokenizer, 7);
      manager.getEngine().setRandomSeed(8);
      for (Parameter p : model.parameterList()) {
        p.getArray().addi(manager.randomNormal(0, 0.05f, p.getArray().getShape(), DataType.FLOAT32));
      }
      JsonObject description = new JsonObject().put("run", "quick-gelu").put("encoder", "vit:vit-tiny").put("captions", "none")
          .put("objective", "clip").put("seed", 7).put("parameters", 0);
      return Path.of(TrainedRun.write(new FileArtifactStore(dir, "parity", "run"), spec, model.imageTower().block(), model,
          tokenizer, description).getPath());
    }
  }

  private static void dump(WorkerPlugins plugins, Path runDir, Path dir) throws Exception {
    List<String> manifest = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedRun.TrainedClip clip = TrainedRun.readClip(runDir, plugins.extensions(), manager);
      int size = clip.spec().imageSize();
      manager.getEngine().setRandomSeed(3);
      NDArray images = manager.randomNormal(new Shape(CAPTIONS.size(), 3, size, size));
      long[][] tokens = CAPTIONS.stream().map(clip.tokenizer()::encode).toArray(long[][]::new);
      ParameterStore ps = new ParameterStore(manager, false);
      write(dir, manifest, "images", images);
      write(dir, manifest, "tokens", manager.create(tokens));
      write(dir, manifest, "image_embeddings", clip.model().encodeImages(ps, images, false));
      write(dir, manifest, "text_embeddings", clip.model().encodeTexts(ps, manager.create(tokens), false));
      write(dir, manifest, "logit_scale", clip.model().scale(ps, manager, false).log());
    }
    Files.write(dir.resolve("manifest.tsv"), manifest);
  }

  private static void write(Path dir, List<String> manifest, String name, NDArray a) throws Exception {
    Files.createDirectories(dir);
    boolean ints = a.getDataType() == DataType.INT64;
    ByteBuffer buffer;
    if (ints) {
      long[] v = a.toLongArray();
      buffer = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asLongBuffer().put(v);
    } else {
      float[] v = a.toFloatArray();
      buffer = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asFloatBuffer().put(v);
    }
    String file = name + (ints ? ".i64" : ".f32");
    Files.write(dir.resolve(file), buffer.array());
    StringBuilder shape = new StringBuilder();
    for (long d : a.getShape().getShape()) {
      shape.append(shape.length() == 0 ? "" : ",").append(d);
    }
    manifest.add(name + "\t" + file + "\t" + (ints ? "int64" : "float32") + "\t" + shape);
  }
}
