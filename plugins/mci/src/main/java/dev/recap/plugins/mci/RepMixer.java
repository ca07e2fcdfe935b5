package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * FastViT's RepMixer token mixer, {@code x + layer_scale * (mixer(x) - norm(x))} with depthwise
 * MobileOne blocks {@code mixer} (conv, scale and skip branches) and {@code norm} (skip branch
 * only); at inference one depthwise convolution with bias ({@code reparam_conv}).
 */
final class RepMixer extends FixedShapeBlock implements Reparameterizable {

  private final int dim;
  private final int kernel;
  private final MobileOneBlock norm;
  private final MobileOneBlock mixer;
  private final Parameter layerScale;
  private final ConvLayer reparam;

  RepMixer(int dim, int kernel, float layerScaleInit, boolean fused) {
    this.dim = dim;
    this.kernel = kernel;
    if (fused) {
      norm = null;
      mixer = null;
      layerScale = null;
      reparam = addChildBlock("reparam_conv", new ConvLayer(dim, dim, kernel, 1, dim, true));
    } else {
      reparam = null;
      norm = addChildBlock("norm", new MobileOneBlock(dim, dim, kernel, 1, dim,
          new MobileOneBlock.Options(false, false, false, 0), false));
      mixer = addChildBlock("mixer", new MobileOneBlock(dim, dim, kernel, 1, dim,
          new MobileOneBlock.Options(false, false, true, 1), false));
      layerScale = parameter("layer_scale", Parameter.Type.WEIGHT, new Shape(dim, 1, 1),
          new ConstantInitializer(layerScaleInit));
    }
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    if (reparam != null) {
      return reparam.forward(ps, inputs, training, params);
    }
    NDArray x = inputs.singletonOrThrow();
    NDArray m = mixer.forward(ps, inputs, training, params).singletonOrThrow();
    NDArray n = norm.forward(ps, inputs, training, params).singletonOrThrow();
    return new NDList(x.add(valueLike(ps, layerScale, x, training).mul(m.sub(n))));
  }

  @Override
  public boolean isFused() {
    return reparam != null;
  }

  @Override
  public void fuseInto(Block inference) {
    float[] scale = layerScale.getArray().toFloatArray();
    Kernel.identity(dim, dim, kernel).plusScaledDifference(mixer.fusedKernel(), norm.fusedKernel(), scale)
        .assignTo(((RepMixer) inference).reparam);
  }
}
