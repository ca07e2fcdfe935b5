package dev.recap.plugins.vit;

import dev.recap.api.encoder.FixedShapeBlock;
import dev.recap.api.encoder.Gelu;
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
    NDList hidden = new NDList(gelu.apply(fc.forward(ps, inputs, training, params).singletonOrThrow()));
    return proj.forward(ps, hidden, training, params);
  }
}
