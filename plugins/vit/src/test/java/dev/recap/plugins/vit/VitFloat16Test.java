package dev.recap.plugins.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageTower;
import org.junit.jupiter.api.Test;

/**
 * Float16 images run the float32 tower in float16 for inference (norms and softmax in float32)
 * and track the float32 outputs; training on them is refused, since DJL's casts would cut the
 * autograd graph.
 */
class VitFloat16Test {

  @Test
  void float16InferenceTracksFloat32AndFloat16TrainingIsRefused() {
    VitEncoder encoder = new VitEncoder();
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(2);
      ImageTower tower = encoder.build(encoder.resolve(PluginConfig.of("preset", "vit-tiny", "dense", "blocks")));
      tower.block().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 48));
      NDArray images = manager.randomNormal(new Shape(2, 3, 32, 48));
      NDList reference = tower.block().forward(new ParameterStore(manager, false), new NDList(images), false);
      NDArray half = images.toType(DataType.FLOAT16, false);
      NDList out = tower.block().forward(new ParameterStore(manager, false), new NDList(half), false);
      for (int i = 0; i < out.size(); i++) {
        assertEquals(DataType.FLOAT16, out.get(i).getDataType(), "output " + i);
        float diff = out.get(i).toType(DataType.FLOAT32, false).sub(reference.get(i)).abs().max().getFloat();
        float scale = reference.get(i).abs().max().getFloat();
        System.out.printf("float16 vs float32, output %d: max diff %.3g (max |output| %.3g)%n", i, diff, scale);
        assertTrue(diff < 0.02f * scale, "output " + i + " differs by " + diff);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tower.block().forward(new ParameterStore(manager, false), new NDList(half), true));
      assertTrue(e.getMessage().contains("float32"), e.getMessage());
    }
  }
}
