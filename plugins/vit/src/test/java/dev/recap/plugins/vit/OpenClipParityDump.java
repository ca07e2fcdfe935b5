package dev.recap.plugins.vit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageTower;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a seeded vit-tiny tower's parameters under their OpenCLIP names, an input batch and
 * the tower's outputs (raw little-endian float32 files plus {@code manifest.tsv}: name, file,
 * shape), for {@code src/test/python/openclip_parity.py} to load into a PyTorch replica of
 * OpenCLIP's {@code VisionTransformer} and compare. Not a unit test: run by hand, see the script.
 */
public final class OpenClipParityDump {

  private OpenClipParityDump() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/openclip-parity");
    Files.createDirectories(dir);
    VitEncoder encoder = new VitEncoder();
    List<String> manifest = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      ImageTower tower = encoder.build(encoder.resolve(PluginConfig.of("preset", "vit-tiny")));
      Shape input = new Shape(2, 3, 64, 64);
      tower.block().initialize(manager, DataType.FLOAT32, input);
      for (Pair<String, Parameter> p : tower.block().getParameters()) {
        // perturb LayerNorm affine and biases away from 1 / 0 so a mix-up would show
        NDArray a = p.getValue().getArray();
        a.addi(manager.randomNormal(0, 0.1f, a.getShape(), DataType.FLOAT32));
        write(dir, manifest, encoder.exportName(p.getKey()), a);
      }
      NDArray images = manager.randomNormal(input);
      write(dir, manifest, "input", images);
      NDList out = tower.block().forward(new ParameterStore(manager, false), new NDList(images), false);
      write(dir, manifest, "output.pooled", out.get(0));
      write(dir, manifest, "output.dense", out.get(1));
      // another grid (6 x 4 patches): the positional embedding is resampled bilinearly
      NDArray other = manager.randomNormal(new Shape(2, 3, 48, 32));
      write(dir, manifest, "input.resampled", other);
      NDList resampled = tower.block().forward(new ParameterStore(manager, false), new NDList(other), false);
      write(dir, manifest, "output.resampled.pooled", resampled.get(0));
      write(dir, manifest, "output.resampled.dense", resampled.get(1));
    }
    Files.write(dir.resolve("manifest.tsv"), manifest);
    System.out.println("wrote " + manifest.size() + " tensors to " + dir.toAbsolutePath());
  }

  private static void write(Path dir, List<String> manifest, String name, NDArray a) throws IOException {
    float[] v = a.toFloatArray();
    ByteBuffer buffer = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(v);
    String file = name + ".f32";
    Files.write(dir.resolve(file), buffer.array());
    StringBuilder shape = new StringBuilder();
    for (long d : a.getShape().getShape()) {
      shape.append(shape.length() == 0 ? "" : ",").append(d);
    }
    manifest.add(name + "\t" + file + "\t" + shape);
  }
}
