package dev.recap.plugins.vit;

import dev.recap.api.encoder.FixedShapeBlock;
import dev.recap.api.encoder.Gelu;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-LN transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. Input and
 * output {@code [B, N, W]}.
 *
 * <p>DJL's {@code TransformerEncoderBlock} does not fit: it normalizes after the residual sum
 * (post-norm) and with BatchNorm, not LayerNorm; hence this block.
 */
final class ResidualAttentionBlock extends FixedShapeBlock {

  private final LayerNormLayer ln1;
  private final SelfAttention attention;
  private final LayerNormLayer ln2;
  private final Mlp mlp;

  ResidualAttentionBlock(int width, int heads, int mlpHidden, Gelu gelu) {
    ln1 = addChildBlock("ln_1", new LayerNormLayer(width));
    attention = addChildBlock("attn", new SelfAttention(width, heads));
    ln2 = addChildBlock("ln_2", new LayerNormLayer(width));
    mlp = addChildBlock("mlp", new Mlp(width, mlpHidden, gelu));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray attended = attention.forward(ps, ln1.forward(ps, inputs, training, params), training, params).singletonOrThrow();
    x = x.add(attended);
    NDArray mixed = mlp.forward(ps, ln2.forward(ps, new NDList(x), training, params), training, params).singletonOrThrow();
    return new NDList(x.add(mixed));
  }
}
