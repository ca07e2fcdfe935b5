package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.List;

/**
 * A small real image encoder for trainer tests (stands in for vit-tiny until it is merged): two
 * stride-2 3x3 convolutions with GELU; the dense map is the second one's output (stride 4), the
 * pooled embedding its spatial mean.
 */
public final class ConvImageEncoderFixture implements ImageEncoder {

  @Override
  public String id() {
    return "test-conv";
  }

  @Override
  public ImageTower build(PluginConfig config) {
    int c = config.getInt("channels", 16);
    return new ImageTower(new ConvBlock(c), 2 * c, List.of(new FeatureLevel(2 * c, 4)), 4);
  }

  /** OpenCLIP-style names under "visual." for the export test. */
  public String exportName(String parameterName) {
    return "visual." + parameterName.replaceFirst("^\\d+", "");
  }

  static final class ConvBlock extends AbstractBlock {
    private final Conv2d first;
    private final Conv2d second;
    private final int channels;

    ConvBlock(int c) {
      channels = 2 * c;
      first = addChildBlock("conv1", conv(c));
      second = addChildBlock("conv2", conv(2 * c));
    }

    private static Conv2d conv(int filters) {
      Conv2d conv = Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(filters)
          .optStride(new Shape(2, 2)).optPadding(new Shape(1, 1)).build();
      conv.setInitializer(new NormalInitializer(0.2f), Parameter.Type.WEIGHT);
      conv.setInitializer(new ConstantInitializer(0f), Parameter.Type.BIAS);
      return conv;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = first.forward(ps, inputs, training).singletonOrThrow().getNDArrayInternal().gelu();
      NDArray dense = second.forward(ps, new NDList(x), training).singletonOrThrow().getNDArrayInternal().gelu();
      return new NDList(dense.mean(new int[] {3}).mean(new int[] {2}), dense);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      first.initialize(manager, dataType, inputShapes[0]);
      second.initialize(manager, dataType, first.getOutputShapes(inputShapes)[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      Shape dense = new Shape(s.get(0), channels, s.get(2) / 4, s.get(3) / 4);
      return new Shape[] {new Shape(s.get(0), channels), dense};
    }
  }
}
