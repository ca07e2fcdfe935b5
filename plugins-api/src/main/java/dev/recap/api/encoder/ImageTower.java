package dev.recap.api.encoder;

import ai.djl.nn.Block;
import java.util.List;

/**
 * A built (not yet initialized) image encoder.
 *
 * <p>Contract of {@link #block()}: input {@code NDList(images)} with images float32
 * {@code [B, 3, H, W]}, normalized; output {@code NDList(pooled, dense_0, ..., dense_k)} where
 * {@code pooled} is {@code [B, embeddingDim]} and {@code dense_i} is
 * {@code [B, C_i, H / s_i, W / s_i]} as described by {@code featureLevels.get(i)}. Level 0 is
 * the encoder's primary dense map (the one a linear probe reads); further levels, if any, are
 * ordered from fine to coarse for pyramid heads. H and W must be multiples of
 * {@link #inputMultiple()}.
 *
 * @param block the DJL block; the caller initializes it for {@code [B, 3, H, W]}
 * @param embeddingDim width of the pooled embedding
 * @param featureLevels dense maps in output order after the pooled embedding
 * @param inputMultiple H and W must be multiples of this (patch size, total stride)
 */
public record ImageTower(Block block, int embeddingDim, List<FeatureLevel> featureLevels, int inputMultiple) {
  public ImageTower {
    if (featureLevels.isEmpty()) {
      throw new IllegalArgumentException("an image tower must expose at least one dense feature level");
    }
    featureLevels = List.copyOf(featureLevels);
  }

  /** The primary dense map, read by linear probes. */
  public FeatureLevel primaryLevel() {
    return featureLevels.get(0);
  }
}
