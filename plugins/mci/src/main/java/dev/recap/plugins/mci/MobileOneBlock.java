package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * MobileOne's block. Train time: the sum of {@code convBranches} conv-BN branches, a 1x1 conv-BN
 * "scale" branch (for kernels above 1) and a BN "skip" branch (when the shape is kept); then
 * optional squeeze-excite and GELU. Inference: one convolution with bias ({@code reparam_conv})
 * in place of the branches.
 */
final class MobileOneBlock extends FixedShapeBlock implements Reparameterizable {

  /** The block's options besides its channels and geometry. */
  record Options(boolean squeezeExcite, boolean activation, boolean scaleBranch, int convBranches) {
    static final Options PLAIN = new Options(false, true, true, 1);
  }

  private final int in;
  private final int out;
  private final int kernel;
  private final int groups;
  private final boolean activation;
  private final BatchNormLayer skip;
  private final List<ConvBn> convs = new ArrayList<>();
  private final ConvBn scale;
  private final ConvLayer reparamConv;
  private final SqueezeExcite se;

  MobileOneBlock(int in, int out, int kernel, int stride, int groups, Options options, boolean fused) {
    this.in = in;
    this.out = out;
    this.kernel = kernel;
    this.groups = groups;
    this.activation = options.activation();
    if (fused) {
      skip = null;
      scale = null;
      reparamConv = addChildBlock("reparam_conv", new ConvLayer(in, out, kernel, stride, groups, true));
    } else {
      reparamConv = null;
      skip = in == out && stride == 1 ? addChildBlock("rbr_skip", new BatchNormLayer(in)) : null;
      for (int i = 0; i < options.convBranches(); i++) {
        convs.add(addChildBlock("rbr_conv" + i, new ConvBn(in, out, kernel, stride, groups)));
      }
      scale = kernel > 1 && options.scaleBranch() ? addChildBlock("rbr_scale", new ConvBn(in, out, 1, stride, groups)) : null;
    }
    se = options.squeezeExcite() ? addChildBlock("se", SqueezeExcite.mobileOne(out)) : null;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray y;
    if (reparamConv != null) {
      y = reparamConv.forward(ps, inputs, training, params).singletonOrThrow();
    } else {
      y = null;
      if (skip != null) {
        y = skip.forward(ps, inputs, training, params).singletonOrThrow();
      }
      if (scale != null) {
        y = sum(y, scale.forward(ps, inputs, training, params).singletonOrThrow());
      }
      for (ConvBn conv : convs) {
        y = sum(y, conv.forward(ps, inputs, training, params).singletonOrThrow());
      }
    }
    if (se != null) {
      y = se.forward(ps, new NDList(y), training, params).singletonOrThrow();
    }
    return new NDList(activation ? Activation.gelu(y) : y);
  }

  private static NDArray sum(NDArray a, NDArray b) {
    return a == null ? b : a.add(b);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    if (reparamConv != null) {
      return reparamConv.getOutputShapes(inputShapes);
    }
    if (!convs.isEmpty()) {
      return convs.get(0).getOutputShapes(inputShapes);
    }
    return scale != null ? scale.getOutputShapes(inputShapes) : inputShapes;
  }

  /** The single convolution equal to the branches in inference mode. */
  Kernel fusedKernel() {
    int per = in / groups;
    Kernel k = new Kernel(out, per, kernel, new float[out * per * kernel * kernel], new float[out]);
    for (ConvBn conv : convs) {
      k = k.plus(conv.fusedKernel());
    }
    if (scale != null) {
      k = k.plus(scale.fusedKernel().paddedTo(kernel));
    }
    if (skip != null) {
      k = k.plus(Kernel.identity(in, groups, kernel).normalizedBy(skip));
    }
    return k;
  }

  @Override
  public boolean isFused() {
    return reparamConv != null;
  }

  @Override
  public void fuseInto(Block inference) {
    MobileOneBlock target = (MobileOneBlock) inference;
    fusedKernel().assignTo(target.reparamConv);
    if (se != null) {
      Reparameterization.transfer(se, target.se);
    }
  }
}
