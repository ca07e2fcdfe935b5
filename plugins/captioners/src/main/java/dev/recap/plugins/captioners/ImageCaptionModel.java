package dev.recap.plugins.captioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The learned captioner's network: an image tower from an {@code ImageEncoder} plugin and a
 * {@link CaptionDecoder} on its pooled embedding and primary dense map. Input {@code
 * NDList(images [B, 3, H, W], tokens [B, T])}, output {@code NDList(logits [B, T, V])}.
 */
final class ImageCaptionModel extends AbstractBlock {

  private final Block encoder;
  private final CaptionDecoder decoder;

  ImageCaptionModel(Block encoder, CaptionDecoder decoder) {
    this.encoder = addChildBlock("encoder", encoder);
    this.decoder = addChildBlock("decoder", decoder);
  }

  Block encoder() {
    return encoder;
  }

  /** The encoder's {@code NDList(pooled, dense)} for a batch of images. */
  NDList encode(ParameterStore ps, NDArray images, boolean training) {
    NDList out = encoder.forward(ps, new NDList(images), training);
    return new NDList(out.get(0), out.get(1));
  }

  /** Next-token logits {@code [B, T, V]} given encoded images and the tokens so far. */
  NDArray decode(ParameterStore ps, NDList encoded, NDArray tokens, boolean training) {
    return decoder.forward(ps, new NDList(encoded.get(0), encoded.get(1), tokens), training).head();
  }

  /** The cached image prefix of encoded images, for decoding step by step. */
  CaptionDecoder.ImagePrefix prefix(ParameterStore ps, NDList encoded) {
    return decoder.prefix(ps, encoded.get(0), encoded.get(1));
  }

  /** Next-token logits {@code [B, T, V]} after a cached image prefix; equal to {@link #decode}. */
  NDArray decode(ParameterStore ps, CaptionDecoder.ImagePrefix prefix, NDArray tokens) {
    return decoder.decode(ps, prefix, tokens);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(decode(ps, encode(ps, inputs.get(0), training), inputs.get(1), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return decoder.getOutputShapes(new Shape[] {null, null, inputShapes[1]});
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    encoder.initialize(manager, dataType, inputShapes[0]);
    Shape[] encoded = encoder.getOutputShapes(new Shape[] {inputShapes[0]});
    decoder.initialize(manager, dataType, encoded[0], encoded[1], inputShapes[1]);
  }
}
