package dev.recap.plugins.denseheads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;

/** The linear probe's block: [batch norm] -> 1x1 conv -> bilinear upsample -> task activation. */
final class LinearProbeBlock extends AbstractBlock {

  private final DenseTask task;
  private final FeatureLevel level;
  private final Block norm;
  private final Block classifier;

  LinearProbeBlock(DenseTask task, FeatureLevel level, boolean batchNorm) {
    super((byte) 1);
    this.task = task;
    this.level = level;
    this.norm = batchNorm ? addChildBlock("norm", BatchNorm.builder().build()) : null;
    this.classifier = addChildBlock("classifier",
        Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(task.numClasses()).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    HeadOutputs.checkInputs("linear", List.of(level), inputs);
    NDArray x = inputs.get(0);
    NDList h = new NDList(x);
    if (norm != null) {
      h = norm.forward(ps, h, training);
    }
    NDArray map = classifier.forward(ps, h, training).head();
    NDArray full = BilinearResize.to(map, x.getShape().get(2) * level.stride(), x.getShape().get(3) * level.stride());
    return new NDList(HeadOutputs.activate(task, full));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), task.numClasses(), s.get(2) * level.stride(), s.get(3) * level.stride())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    if (norm != null) {
      norm.initialize(manager, dataType, inputShapes[0]);
    }
    classifier.initialize(manager, dataType, inputShapes[0]);
  }
}
