package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageTower;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerwiseOptimizerTest {

  /** Largest absolute change of a parameter's values. */
  private static double maxChange(float[] before, float[] after) {
    double max = 0;
    for (int i = 0; i < before.length; i++) {
      max = Math.max(max, Math.abs(after[i] - before[i]));
    }
    return max;
  }

  @Test
  void deeperEncoderBlocksGetLargerStepsAndTheHeadItsOwnRate() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      ImageTower encoder = new TinyConvEncoder().build(PluginConfig.empty());
      encoder.block().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 16, 16));
      DenseHead.Model head = new ProbeHeadFixture().build(DenseTask.depth(), encoder.featureLevels(), PluginConfig.empty());
      head.block().initialize(manager, DataType.FLOAT32, new Shape(2, 16, 4, 4));
      // children in order: stem, norm, body -> encoder LR x 0.25, x 0.5, x 1
      LayerwiseOptimizer optimizer = LayerwiseOptimizer.forFinetuning(head.block(), encoder.block(), 0.02, 0.01, 0.5, 0, 100);
      Map<String, float[]> before = new HashMap<>();
      for (Block b : new Block[] {encoder.block(), head.block()}) {
        for (Pair<String, Parameter> p : b.getParameters()) {
          before.put(p.getValue().getId(), p.getValue().getArray().toFloatArray());
        }
      }
      try (NDManager step = manager.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDList dense = DenseEvaluator.dense(encoder.block(), step, step.randomNormal(new Shape(2, 3, 16, 16)), true);
          NDList out = head.block().forward(new ParameterStore(step, false), dense, true);
          gc.backward(head.loss().evaluate(new NDList(step.ones(new Shape(2, 16, 16)).mul(3f)), out));
        }
        optimizer.step(step);
      }
      // Adam's first step moves every weight with a non-zero gradient by its learning rate
      Map<String, Double> expected = Map.of("stem", 0.0025, "norm", 0.005, "body", 0.01);
      for (Pair<String, Block> child : encoder.block().getChildren()) {
        // DJL prefixes child names with their position: 01stem, 02norm, 03body
        String name = child.getKey().replaceFirst("^\\d+", "");
        for (Pair<String, Parameter> p : child.getValue().getParameters()) {
          // the stem's bias feeds a batch norm, which cancels it: its gradient is ~0, Adam's step too
          boolean cancelled = name.equals("stem") && p.getKey().endsWith("bias");
          if (p.getValue().requiresGradient() && !cancelled) {
            double change = maxChange(before.get(p.getValue().getId()), p.getValue().getArray().toFloatArray());
            assertEquals(expected.get(name), change, 1e-4, name + "." + p.getKey());
          }
        }
      }
      for (Pair<String, Parameter> p : head.block().getParameters()) {
        assertEquals(0.02, maxChange(before.get(p.getValue().getId()), p.getValue().getArray().toFloatArray()), 1e-4, p.getKey());
        assertEquals(0f, p.getValue().getArray().getGradient().abs().max().getFloat(), "gradients are zeroed after the step");
      }
    }
  }
}
