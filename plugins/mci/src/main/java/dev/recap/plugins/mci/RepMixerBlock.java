package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/** A stage 1-3 block: {@code x = token_mixer(x); x + layer_scale * convffn(x)}. */
final class RepMixerBlock extends FixedShapeBlock {

  private final RepMixer tokenMixer;
  private final ConvFfn ffn;
  private final Parameter layerScale;

  RepMixerBlock(int dim, int hidden, float layerScaleInit, boolean fused) {
    tokenMixer = addChildBlock("token_mixer", new RepMixer(dim, 3, layerScaleInit, fused));
    ffn = addChildBlock("convffn", new ConvFfn(dim, hidden));
    layerScale = parameter("layer_scale", Parameter.Type.WEIGHT, new Shape(dim, 1, 1),
        new ConstantInitializer(layerScaleInit));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = tokenMixer.forward(ps, inputs, training, params).singletonOrThrow();
    NDArray f = ffn.forward(ps, new NDList(x), training, params).singletonOrThrow();
    return new NDList(x.add(valueLike(ps, layerScale, x, training).mul(f)));
  }
}
