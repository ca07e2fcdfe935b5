package dev.recap.plugins.captioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.List;

/**
 * A small real image encoder for captioner tests ({@code tiny-conv}): three stride-2 3x3
 * convolutions with ReLU; the dense map is the third's output (stride 8), the pooled embedding
 * its spatial mean. Config key {@code channels} (32).
 */
final class TinyConvEncoder implements ImageEncoder {

  @Override
  public String id() {
    return "tiny-conv";
  }

  @Override
  public ImageTower build(PluginConfig config) {
    int channels = config.getInt("channels", 32);
    return new ImageTower(new Tower(channels), channels, List.of(new FeatureLevel(channels, 8)), 8);
  }

  static final class Tower extends AbstractBlock {
    private final Conv2d first;
    private final Conv2d second;
    private final Conv2d third;

    Tower(int channels) {
      first = addChildBlock("first", Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2))
          .optPadding(new Shape(1, 1)).setFilters(16).build());
      second = addChildBlock("second", Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2))
          .optPadding(new Shape(1, 1)).setFilters(channels).build());
      third = addChildBlock("third", Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2))
          .optPadding(new Shape(1, 1)).setFilters(channels).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = Activation.relu(first.forward(ps, inputs, training).head());
      x = Activation.relu(second.forward(ps, new NDList(x), training).head());
      NDArray dense = Activation.relu(third.forward(ps, new NDList(x), training).head());
      return new NDList(dense.mean(new int[] {3}).mean(new int[] {2}), dense);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape mid = first.getOutputShapes(inputShapes)[0];
      Shape mid2 = second.getOutputShapes(new Shape[] {mid})[0];
      Shape dense = third.getOutputShapes(new Shape[] {mid2})[0];
      return new Shape[] {new Shape(dense.get(0), dense.get(1)), dense};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      first.initialize(manager, dataType, inputShapes);
      Shape[] mid = first.getOutputShapes(inputShapes);
      second.initialize(manager, dataType, mid);
      third.initialize(manager, dataType, second.getOutputShapes(mid));
    }
  }
}
