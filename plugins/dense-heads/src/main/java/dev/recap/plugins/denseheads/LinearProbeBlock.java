package dev.recap.plugins.denseheads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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

/**
 * The linear probe's block: [batch norm] -> 1x1 conv -> bilinear upsample -> task activation, on
 * level 0, or on all levels concatenated (each resized bilinearly to level 0's grid).
 */
final class LinearProbeBlock extends AbstractBlock {

  private final DenseTask task;
  private final List<FeatureLevel> levels;
  private final Block norm;
  private final Block classifier;

  LinearProbeBlock(DenseTask task, List<FeatureLevel> levels, boolean batchNorm) {
    super((byte) 1);
    this.task = task;
    this.levels = List.copyOf(levels);
    this.norm = batchNorm ? addChildBlock("norm", BatchNorm.builder().build()) : null;
    this.classifier = addChildBlock("classifier",
        Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(task.numClasses()).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    HeadOutputs.checkInputs("linear", levels, inputs);
    NDArray x = inputs.get(0);
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    if (levels.size() > 1) {
      NDList resized = new NDList(levels.size());
      for (int i = 0; i < levels.size(); i++) {
        resized.add(BilinearResize.to(inputs.get(i), h, w));
      }
      x = NDArrays.concat(resized, 1);
    }
    NDList features = new NDList(x);
    if (norm != null) {
      features = norm.forward(ps, features, training);
    }
    NDArray map = classifier.forward(ps, features, training).head();
    int stride = levels.get(0).stride();
    return new NDList(HeadOutputs.activate(task, BilinearResize.to(map, h * stride, w * stride)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    int stride = levels.get(0).stride();
    return new Shape[] {new Shape(s.get(0), task.numClasses(), s.get(2) * stride, s.get(3) * stride)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    long channels = levels.stream().mapToLong(FeatureLevel::channels).sum();
    Shape probed = new Shape(s.get(0), channels, s.get(2), s.get(3));
    if (norm != null) {
      norm.initialize(manager, dataType, probed);
    }
    classifier.initialize(manager, dataType, probed);
  }
}
