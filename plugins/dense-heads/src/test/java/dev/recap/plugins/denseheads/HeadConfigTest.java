package dev.recap.plugins.denseheads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.dense.MaskedL1Loss;
import dev.recap.api.dense.ScaleInvariantLogLoss;
import dev.recap.api.dense.SegmentationCrossEntropy;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadConfigTest {

  private static final List<FeatureLevel> TWO_BLOCKS = List.of(new FeatureLevel(8, 8), new FeatureLevel(8, 8));

  private static long parameterCount(DenseHead.Model model, List<FeatureLevel> levels) {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape[] shapes = levels.stream().map(l -> new Shape(1, l.channels(), 4, 4)).toArray(Shape[]::new);
      model.block().initialize(m, DataType.FLOAT32, shapes);
      return model.block().getParameters().stream()
          .filter(p -> p.getValue().requiresGradient())
          .mapToLong(p -> p.getValue().getArray().size()).sum();
    }
  }

  @Test
  void linearProbeIsOneWeightPerChannelAndClassPlusBias() {
    DenseHead linear = new LinearHead();
    // level 0 only: batch norm (gamma, beta: 2 x 8) + conv (8 x 5 weights + 5 biases)
    assertEquals(2 * 8 + 8 * 5 + 5,
        parameterCount(linear.build(DenseTask.segmentation(5), TWO_BLOCKS, PluginConfig.empty()), TWO_BLOCKS));
    assertEquals(2 * 16 + 16 * 5 + 5, parameterCount(
        linear.build(DenseTask.segmentation(5), TWO_BLOCKS, linear.resolve(PluginConfig.of("preset", "linear-all-levels"))),
        TWO_BLOCKS));
    assertEquals(8 + 1, parameterCount(
        linear.build(DenseTask.depth(), TWO_BLOCKS, PluginConfig.of("batchNorm", false)), TWO_BLOCKS));
  }

  @Test
  void lossFollowsTaskAndConfig() {
    DenseHead fpn = new FpnHead();
    assertInstanceOf(SegmentationCrossEntropy.class, fpn.build(DenseTask.segmentation(3), TWO_BLOCKS, PluginConfig.empty()).loss());
    assertInstanceOf(ScaleInvariantLogLoss.class, fpn.build(DenseTask.depth(), TWO_BLOCKS, PluginConfig.empty()).loss());
    assertInstanceOf(MaskedL1Loss.class, fpn.build(DenseTask.depth(), TWO_BLOCKS, PluginConfig.of("depthLoss", "l1")).loss());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fpn.build(DenseTask.depth(), TWO_BLOCKS, PluginConfig.of("depthLoss", "l2")));
    assertTrue(e.getMessage().contains("'depthLoss'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> fpn.build(DenseTask.depth(), TWO_BLOCKS, PluginConfig.of("width", 0)));
    assertThrows(IllegalArgumentException.class, () -> fpn.resolve(PluginConfig.of("preset", "fpn-huge")));
  }
}
