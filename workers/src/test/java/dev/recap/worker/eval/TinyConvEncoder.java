package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.List;

/**
 * Test fixture: a real (tiny) image encoder. Two stride-2 3x3 convolutions (the first with batch
 * norm) give one dense level at stride 4 (and, with {@code twoLevels}, the stem's map at stride 2
 * as level 1); the pooled embedding is level 0's spatial mean.
 */
final class TinyConvEncoder implements ImageEncoder {

  @Override
  public String id() {
    return "tiny-conv";
  }

  @Override
  public ImageTower build(PluginConfig config) {
    int width = config.getInt("width", 16);
    boolean twoLevels = config.getBoolean("twoLevels", false);
    List<FeatureLevel> levels = twoLevels
        ? List.of(new FeatureLevel(width, 4), new FeatureLevel(width, 2))
        : List.of(new FeatureLevel(width, 4));
    return new ImageTower(new Net(width, twoLevels), width, levels, 4);
  }

  static final class Net extends AbstractBlock {
    private final Block stem;
    private final Block norm;
    private final Block body;
    private final int width;
    private final boolean twoLevels;

    Net(int width, boolean twoLevels) {
      super((byte) 1);
      this.width = width;
      this.twoLevels = twoLevels;
      stem = addChildBlock("stem", Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2))
          .optPadding(new Shape(1, 1)).setFilters(width).build());
      norm = addChildBlock("norm", BatchNorm.builder().build());
      body = addChildBlock("body", Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2))
          .optPadding(new Shape(1, 1)).setFilters(width).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = stem.forward(ps, inputs, training).head();
      x = Activation.relu(norm.forward(ps, new NDList(x), training).head());
      NDArray dense = Activation.relu(body.forward(ps, new NDList(x), training).head());
      NDList out = new NDList(dense.mean(new int[] {3}).mean(new int[] {2}), dense);
      if (twoLevels) {
        out.add(x); // the stride-2 map after the stem
      }
      return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      Shape pooled = new Shape(s.get(0), width);
      Shape level0 = new Shape(s.get(0), width, s.get(2) / 4, s.get(3) / 4);
      return twoLevels
          ? new Shape[] {pooled, level0, new Shape(s.get(0), width, s.get(2) / 2, s.get(3) / 2)}
          : new Shape[] {pooled, level0};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
      Shape s = in[0];
      stem.initialize(manager, dataType, s);
      Shape half = new Shape(s.get(0), width, s.get(2) / 2, s.get(3) / 2);
      norm.initialize(manager, dataType, half);
      body.initialize(manager, dataType, half);
    }
  }
}
