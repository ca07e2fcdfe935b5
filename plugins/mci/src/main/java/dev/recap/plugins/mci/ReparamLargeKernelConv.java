package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * RepLKNet's large-kernel convolution. Train time: a {@code k x k} conv-BN ({@code lkb_origin})
 * plus a small-kernel conv-BN ({@code small_conv}); inference: one {@code k x k} convolution with
 * bias ({@code lkb_reparam}). Then optional squeeze-excite and GELU.
 */
final class ReparamLargeKernelConv extends FixedShapeBlock implements Reparameterizable {

  private final int kernel;
  private final ConvBn large;
  private final ConvBn small;
  private final ConvLayer reparam;
  private final SqueezeExcite se;

  ReparamLargeKernelConv(int in, int out, int kernel, int stride, int groups, int smallKernel, boolean squeezeExcite,
      boolean fused) {
    this.kernel = kernel;
    if (fused) {
      large = null;
      small = null;
      reparam = addChildBlock("lkb_reparam", new ConvLayer(in, out, kernel, stride, groups, true));
    } else {
      reparam = null;
      large = addChildBlock("lkb_origin", new ConvBn(in, out, kernel, stride, groups));
      small = addChildBlock("small_conv", new ConvBn(in, out, smallKernel, stride, groups));
    }
    se = squeezeExcite ? addChildBlock("se", SqueezeExcite.timm(out)) : null;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray y = reparam != null
        ? reparam.forward(ps, inputs, training, params).singletonOrThrow()
        : large.forward(ps, inputs, training, params).singletonOrThrow()
            .add(small.forward(ps, inputs, training, params).singletonOrThrow());
    if (se != null) {
      y = se.forward(ps, new NDList(y), training, params).singletonOrThrow();
    }
    return new NDList(Activation.gelu(y));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return (reparam != null ? reparam : large.conv).getOutputShapes(inputShapes);
  }

  @Override
  public boolean isFused() {
    return reparam != null;
  }

  @Override
  public void fuseInto(Block inference) {
    ReparamLargeKernelConv target = (ReparamLargeKernelConv) inference;
    large.fusedKernel().plus(small.fusedKernel().paddedTo(kernel)).assignTo(target.reparam);
    if (se != null) {
      Reparameterization.transfer(se, target.se);
    }
  }
}
