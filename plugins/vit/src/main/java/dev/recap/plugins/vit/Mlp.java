package dev.recap.plugins.vit;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** The block's feed-forward part: {@code c_fc}, exact (erf) GELU, {@code c_proj}. */
final class Mlp extends FixedShapeBlock {

  private final LinearLayer fc;
  private final LinearLayer proj;

  Mlp(int width, int hidden) {
    fc = addChildBlock("c_fc", new LinearLayer(width, hidden));
    proj = addChildBlock("c_proj", new LinearLayer(hidden, width));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList hidden = Activation.gelu(fc.forward(ps, inputs, training, params));
    return proj.forward(ps, hidden, training, params);
  }
}
