package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Conditional positional encoding, {@code x + pe(x)} with a depthwise {@code k x k} convolution
 * {@code pe}; at inference the skip folds into the kernel ({@code reparam_conv}).
 */
final class RepCpe extends FixedShapeBlock implements Reparameterizable {

  private final int dim;
  private final int kernel;
  private final ConvLayer pe;
  private final ConvLayer reparam;

  RepCpe(int dim, int kernel, boolean fused) {
    this.dim = dim;
    this.kernel = kernel;
    if (fused) {
      pe = null;
      reparam = addChildBlock("reparam_conv", new ConvLayer(dim, dim, kernel, 1, dim, true));
    } else {
      reparam = null;
      pe = addChildBlock("pe", new ConvLayer(dim, dim, kernel, 1, dim, true));
    }
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    if (reparam != null) {
      return reparam.forward(ps, inputs, training, params);
    }
    NDArray x = inputs.singletonOrThrow();
    return new NDList(x.add(pe.forward(ps, inputs, training, params).singletonOrThrow()));
  }

  @Override
  public boolean isFused() {
    return reparam != null;
  }

  @Override
  public void fuseInto(Block inference) {
    Kernel.identity(dim, dim, kernel).plus(pe.kernel()).assignTo(((RepCpe) inference).reparam);
  }
}
