package dev.recap.api.encoder;

import ai.djl.nn.Block;

/**
 * A built (not yet initialized) text encoder.
 *
 * <p>Contract of {@link #block()}: input {@code NDList(tokens)} with tokens int64
 * {@code [B, contextLength]} as a {@link TextTokenizer} produced them; output
 * {@code NDList(pooled)} with pooled float32 {@code [B, embeddingDim]}.
 */
public record TextTower(Block block, int embeddingDim, int contextLength) {}
