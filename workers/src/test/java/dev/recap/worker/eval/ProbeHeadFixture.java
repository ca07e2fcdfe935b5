package dev.recap.worker.eval;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.dense.ScaleInvariantLogLoss;
import dev.recap.api.dense.SegmentationCrossEntropy;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;

/**
 * Test fixture: a real linear-probe head (1x1 conv on level 0, bilinear upsampling, exp for
 * depth) with the plugins-api losses. The workers module does not depend on head plugins (they
 * arrive through PF4J at run time), so its tests bring their own head.
 */
final class ProbeHeadFixture implements DenseHead {

  @Override
  public String id() {
    return "probe-fixture";
  }

  @Override
  public boolean supports(DenseTask.Kind kind) {
    return true;
  }

  @Override
  public Model build(DenseTask task, List<FeatureLevel> levels, PluginConfig config) {
    return new Model(new Probe(task, levels.get(0).stride()),
        task.kind() == DenseTask.Kind.DEPTH ? new ScaleInvariantLogLoss(0.5f) : new SegmentationCrossEntropy());
  }

  static final class Probe extends AbstractBlock {
    private final DenseTask task;
    private final int stride;
    private final Block conv;

    Probe(DenseTask task, int stride) {
      super((byte) 1);
      this.task = task;
      this.stride = stride;
      conv = addChildBlock("conv", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(task.numClasses()).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.get(0);
      NDArray map = conv.forward(ps, new NDList(x), training).head();
      NDArray full = map.getNDArrayInternal().interpolation(
          new long[] {x.getShape().get(2) * stride, x.getShape().get(3) * stride}, Image.Interpolation.BILINEAR.ordinal(), false);
      return new NDList(task.kind() == DenseTask.Kind.DEPTH ? full.clip(-10, 10).exp() : full);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      return new Shape[] {new Shape(s.get(0), task.numClasses(), s.get(2) * stride, s.get(3) * stride)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
      conv.initialize(manager, dataType, in[0]);
    }
  }
}
