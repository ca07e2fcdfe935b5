package dev.recap.plugins.denseheads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.FeatureLevel;
import java.util.ArrayList;
import java.util.List;

/** The {@code fpn} head's block; see {@link FpnHead} for the architecture. */
final class FpnDecoderBlock extends AbstractBlock {

  private final DenseTask task;
  private final List<FeatureLevel> levels;
  private final int width;
  /** True when the pyramid is built from level 0 alone (ViTDet simple pyramid). */
  private final boolean simplePyramid;
  private final Block upsample;
  private final List<Block> laterals = new ArrayList<>();
  private final List<Block> smooths = new ArrayList<>();
  private final Block fuse;
  private final Block predict;

  FpnDecoderBlock(DenseTask task, List<FeatureLevel> levels, int width) {
    super((byte) 1);
    this.task = task;
    this.levels = List.copyOf(levels);
    this.width = width;
    this.simplePyramid = levels.size() == 1;
    this.upsample = simplePyramid
        ? addChildBlock("simple_up", conv(1, 4 * width))
        : null;
    int pyramidLevels = simplePyramid ? 3 : levels.size();
    for (int i = 0; i < pyramidLevels; i++) {
      // no bias before a batch norm: it would be cancelled and get no gradient
      laterals.add(addChildBlock("lateral_" + i, conv(1, width)));
      smooths.add(addChildBlock("smooth_" + i, convBnRelu(width)));
    }
    this.fuse = addChildBlock("fuse", convBnRelu(width));
    this.predict = addChildBlock("predict",
        Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(task.numClasses()).build());
  }

  private static Block conv(int kernel, int filters) {
    return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optPadding(new Shape(kernel / 2, kernel / 2))
        .setFilters(filters).optBias(false).build();
  }

  private static Block convBnRelu(int filters) {
    return new SequentialBlock().add(conv(3, filters)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
  }

  /** The pyramid, fine to coarse, before the laterals. */
  private List<NDArray> pyramid(ParameterStore ps, NDList inputs, boolean training) {
    if (!simplePyramid) {
      return new ArrayList<>(inputs.subNDList(0, levels.size()));
    }
    NDArray x = inputs.get(0);
    NDArray up = depthToSpace(upsample.forward(ps, new NDList(x), training).head());
    // ceil mode keeps a 1x1 map at 1x1 instead of an empty one
    NDArray down = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true);
    return new ArrayList<>(List.of(up, x, down));
  }

  /**
   * {@code [B, 4F, h, w] -> [B, F, 2h, 2w]}: a 1x1 conv followed by this is exactly a 2x2,
   * stride-2 transposed convolution, which DJL's PyTorch engine does not implement.
   */
  private NDArray depthToSpace(NDArray x) {
    Shape s = x.getShape();
    long b = s.get(0);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(b, width, 2, 2, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(b, width, 2 * h, 2 * w);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    HeadOutputs.checkInputs("fpn", levels, inputs);
    List<NDArray> pyramid = pyramid(ps, inputs, training);
    int n = pyramid.size();
    NDArray[] merged = new NDArray[n];
    for (int i = n - 1; i >= 0; i--) {
      NDArray lateral = laterals.get(i).forward(ps, new NDList(pyramid.get(i)), training).head();
      if (i < n - 1) {
        lateral = lateral.add(BilinearResize.to(merged[i + 1], lateral.getShape().get(2), lateral.getShape().get(3)));
      }
      merged[i] = lateral;
    }
    long fineH = merged[0].getShape().get(2);
    long fineW = merged[0].getShape().get(3);
    NDList fused = new NDList(n);
    for (int i = 0; i < n; i++) {
      NDArray smooth = smooths.get(i).forward(ps, new NDList(merged[i]), training).head();
      fused.add(BilinearResize.to(smooth, fineH, fineW));
    }
    NDArray h = fuse.forward(ps, new NDList(NDArrays.concat(fused, 1)), training).head();
    NDArray map = predict.forward(ps, new NDList(h), training).head();
    Shape level0 = inputs.get(0).getShape();
    int stride = levels.get(0).stride();
    NDArray full = BilinearResize.to(map, level0.get(2) * stride, level0.get(3) * stride);
    return new NDList(HeadOutputs.activate(task, full));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    int stride = levels.get(0).stride();
    return new Shape[] {new Shape(s.get(0), task.numClasses(), s.get(2) * stride, s.get(3) * stride)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    // convolutions only need the channel count right; spatial sizes here are nominal
    long b = inputShapes[0].get(0);
    List<Shape> pyramidShapes = new ArrayList<>();
    if (simplePyramid) {
      Shape s = inputShapes[0];
      upsample.initialize(manager, dataType, s);
      pyramidShapes.add(new Shape(b, width, s.get(2) * 2, s.get(3) * 2));
      pyramidShapes.add(s);
      pyramidShapes.add(new Shape(b, s.get(1), (s.get(2) + 1) / 2, (s.get(3) + 1) / 2));
    } else {
      for (int i = 0; i < levels.size(); i++) {
        pyramidShapes.add(inputShapes[i]);
      }
    }
    for (int i = 0; i < pyramidShapes.size(); i++) {
      Shape p = pyramidShapes.get(i);
      laterals.get(i).initialize(manager, dataType, p);
      smooths.get(i).initialize(manager, dataType, new Shape(b, width, p.get(2), p.get(3)));
    }
    Shape fine = pyramidShapes.get(0);
    fuse.initialize(manager, dataType, new Shape(b, (long) width * pyramidShapes.size(), fine.get(2), fine.get(3)));
    predict.initialize(manager, dataType, new Shape(b, width, fine.get(2), fine.get(3)));
  }
}
