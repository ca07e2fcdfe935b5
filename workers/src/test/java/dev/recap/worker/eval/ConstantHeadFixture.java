package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
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
 * Test fixture: a head whose prediction does not depend on the image, so the metrics it scores
 * can be worked out by hand from the labels alone. Segmentation: logit 1 for {@code classId},
 * 0 for every other class; depth: {@code metres} everywhere. Output at the image's size (the
 * level's size times its stride), as a head must.
 */
final class ConstantHeadFixture implements DenseHead {

  private final int classId;
  private final float metres;

  ConstantHeadFixture(int classId, float metres) {
    this.classId = classId;
    this.metres = metres;
  }

  @Override
  public String id() {
    return "constant-fixture";
  }

  @Override
  public boolean supports(DenseTask.Kind kind) {
    return true;
  }

  @Override
  public Model build(DenseTask task, List<FeatureLevel> levels, PluginConfig config) {
    return new Model(new Constant(task, levels.get(0).stride()),
        task.kind() == DenseTask.Kind.DEPTH ? new ScaleInvariantLogLoss(0.5f) : new SegmentationCrossEntropy());
  }

  private final class Constant extends AbstractBlock {
    private final DenseTask task;
    private final int stride;

    Constant(DenseTask task, int stride) {
      super((byte) 1);
      this.task = task;
      this.stride = stride;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      Shape in = inputs.get(0).getShape();
      int b = (int) in.get(0);
      int h = (int) in.get(2) * stride;
      int w = (int) in.get(3) * stride;
      NDManager m = inputs.get(0).getManager();
      if (task.kind() == DenseTask.Kind.DEPTH) {
        return new NDList(m.full(new Shape(b, 1, h, w), metres));
      }
      int k = task.numClasses();
      float[] logits = new float[b * k * h * w];
      for (int i = 0; i < b; i++) {
        java.util.Arrays.fill(logits, (i * k + classId) * h * w, (i * k + classId + 1) * h * w, 1f);
      }
      NDArray out = m.create(logits, new Shape(b, k, h, w));
      return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      return new Shape[] {new Shape(s.get(0), task.numClasses(), s.get(2) * stride, s.get(3) * stride)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {}
  }
}
