package dev.recap.plugins.vit;

import dev.recap.api.Kernels;
import dev.recap.api.encoder.FixedShapeBlock;
import dev.recap.api.encoder.Gelu;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** The block's feed-forward part: {@code c_fc}, GELU (exact, or QuickGELU as configured), {@code c_proj}. */
final class Mlp extends FixedShapeBlock {

  private final LinearLayer fc;
  private final LinearLayer proj;
  private final Gelu gelu;

  Mlp(int width, int hidden, Gelu gelu) {
    this.gelu = gelu;
    fc = addChildBlock("c_fc", new LinearLayer(width, hidden));
    proj = addChildBlock("c_proj", new LinearLayer(hidden, width));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    return new NDList(Kernels.current().feedForward(x, fc.weight(ps, x, training), fc.bias(ps, x, training),
        proj.weight(ps, x, training), proj.bias(ps, x, training), gelu));
  }
}
