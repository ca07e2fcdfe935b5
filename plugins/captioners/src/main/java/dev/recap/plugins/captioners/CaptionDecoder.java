package dev.recap.plugins.captioners;

import dev.recap.api.ScalarOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * An image-conditioned transformer decoder (prefix language model): the encoder's pooled
 * embedding and its dense map (one token per cell) are projected to the decoder width and put
 * before the caption tokens; image tokens attend to image tokens, each caption token to every
 * image token and to the caption tokens up to itself.
 *
 * <p>Input {@code NDList(pooled [B, E], dense [B, C, h, w], tokens int64 [B, T])} with {@code T <=
 * maxLength}; output {@code NDList(logits [B, T, V])}, the next-token logits at each position.
 */
final class CaptionDecoder extends AbstractBlock {

  private static final float NORM_EPS = 1e-5f;

  private final int width;
  private final int vocabSize;
  private final int imageTokens;
  private final int maxLength;
  private final Linear denseProjection;
  private final Linear pooledProjection;
  private final Parameter tokenEmbedding;
  private final Parameter imagePosition;
  private final Parameter textPosition;
  private final List<DecoderLayer> layers = new ArrayList<>();
  private final Parameter finalGamma;
  private final Parameter finalBeta;
  private final Linear head;

  CaptionDecoder(int width, int layerCount, int heads, int vocabSize, int denseCells, int maxLength) {
    if (width % heads != 0) {
      throw new IllegalArgumentException("config key 'width' (" + width + ") must be a multiple of 'heads' (" + heads + ")");
    }
    this.width = width;
    this.vocabSize = vocabSize;
    this.imageTokens = denseCells + 1;
    this.maxLength = maxLength;
    denseProjection = addChildBlock("denseProjection", Linear.builder().setUnits(width).build());
    pooledProjection = addChildBlock("pooledProjection", Linear.builder().setUnits(width).build());
    tokenEmbedding = addParameter(weight("tokenEmbedding", new Shape(vocabSize, width)));
    imagePosition = addParameter(weight("imagePosition", new Shape(imageTokens, width)));
    textPosition = addParameter(weight("textPosition", new Shape(maxLength, width)));
    for (int i = 0; i < layerCount; i++) {
      layers.add(addChildBlock("layer" + i, new DecoderLayer(width, heads)));
    }
    finalGamma = addParameter(Parameter.builder().setName("finalGamma").setType(Parameter.Type.GAMMA).optShape(new Shape(width)).build());
    finalBeta = addParameter(Parameter.builder().setName("finalBeta").setType(Parameter.Type.BETA).optShape(new Shape(width)).build());
    head = addChildBlock("head", Linear.builder().setUnits(vocabSize).build());
  }

  private static Parameter weight(String name, Shape shape) {
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape).build();
  }

  int maxLength() {
    return maxLength;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray tokens = inputs.get(2);
    int length = (int) tokens.getShape().get(1);
    NDArray x = imagePart(ps, inputs.get(0), inputs.get(1), training).concat(textPart(ps, tokens, training), 1);
    NDArray mask = prefixMask(tokens.getManager(), imageTokens, length);
    for (DecoderLayer layer : layers) {
      x = layer.forward(ps, new NDList(x, mask), training).head();
    }
    return new NDList(logits(ps, x.get(":, " + imageTokens + ":, :"), training));
  }

  /**
   * The image tokens' keys and values at every layer, for decoding many steps on the same images:
   * image tokens attend only to image tokens, so they do not change while the caption grows.
   */
  record ImagePrefix(NDArray[] keys, NDArray[] values) {
    /** Each image's prefix repeated {@code times} (for beam hypotheses). */
    ImagePrefix repeat(long times) {
      NDArray[] k = new NDArray[keys.length];
      NDArray[] v = new NDArray[values.length];
      for (int i = 0; i < keys.length; i++) {
        k[i] = keys[i].repeat(0, times);
        v[i] = values[i].repeat(0, times);
      }
      return new ImagePrefix(k, v);
    }

    /** The prefix of image {@code index} alone. */
    ImagePrefix slice(int index) {
      NDArray[] k = new NDArray[keys.length];
      NDArray[] v = new NDArray[values.length];
      for (int i = 0; i < keys.length; i++) {
        k[i] = keys[i].get(index + ":" + (index + 1));
        v[i] = values[i].get(index + ":" + (index + 1));
      }
      return new ImagePrefix(k, v);
    }
  }

  /** Runs the image tokens through every layer once (inference). */
  ImagePrefix prefix(ParameterStore ps, NDArray pooled, NDArray dense) {
    NDArray x = imagePart(ps, pooled, dense, false);
    NDArray[] keys = new NDArray[layers.size()];
    NDArray[] values = new NDArray[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      NDArray[] kvx = layers.get(i).imageStep(ps, x);
      keys[i] = kvx[0];
      values[i] = kvx[1];
      x = kvx[2];
    }
    return new ImagePrefix(keys, values);
  }

  /** Next-token logits {@code [B, T, V]} for caption tokens after a cached image prefix (inference). */
  NDArray decode(ParameterStore ps, ImagePrefix prefix, NDArray tokens) {
    int length = (int) tokens.getShape().get(1);
    NDArray x = textPart(ps, tokens, false);
    NDArray mask = prefixMask(tokens.getManager(), imageTokens, length).get(imageTokens + ":, :");
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).textStep(ps, x, prefix.keys()[i], prefix.values()[i], mask);
    }
    return logits(ps, x, false);
  }

  private NDArray imagePart(ParameterStore ps, NDArray pooled, NDArray dense, boolean training) {
    Shape ds = dense.getShape();
    long batch = ds.get(0);
    long cells = ds.get(2) * ds.get(3);
    if (cells + 1 != imageTokens) {
      throw new IllegalArgumentException("the encoder's dense map has " + cells + " cells, the decoder was built for " + (imageTokens - 1)
          + "; caption images at the size the captioner was trained with");
    }
    NDArray cellsIn = dense.reshape(batch, ds.get(1), cells).transpose(0, 2, 1);
    NDArray img = denseProjection.forward(ps, new NDList(cellsIn), training).head();
    NDArray pool = pooledProjection.forward(ps, new NDList(pooled), training).head().expandDims(1);
    return pool.concat(img, 1).add(ps.getValue(imagePosition, dense.getDevice(), training));
  }

  private NDArray textPart(ParameterStore ps, NDArray tokens, boolean training) {
    int length = (int) tokens.getShape().get(1);
    NDArray embedded = tokens.oneHot(vocabSize).matMul(ps.getValue(tokenEmbedding, tokens.getDevice(), training));
    return embedded.add(ps.getValue(textPosition, tokens.getDevice(), training).get("0:" + length));
  }

  private NDArray logits(ParameterStore ps, NDArray text, boolean training) {
    NDArray x = LayerNorm.layerNorm(text, new Shape(width), ps.getValue(finalGamma, text.getDevice(), training),
        ps.getValue(finalBeta, text.getDevice(), training), NORM_EPS).head();
    return head.forward(ps, new NDList(x), training).head();
  }

  /** Additive attention mask [S, S]: 0 where attending is allowed, a large negative elsewhere. */
  private static NDArray prefixMask(NDManager manager, int imageTokens, int textTokens) {
    int s = imageTokens + textTokens;
    float[] m = new float[s * s];
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < s; j++) {
        boolean allowed = i < imageTokens ? j < imageTokens : j <= i;
        m[i * s + j] = allowed ? 0f : -1e9f;
      }
    }
    return manager.create(m, new Shape(s, s));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[2].get(0), inputShapes[2].get(1), vocabSize)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[1].get(0);
    long c = inputShapes[1].get(1);
    long t = inputShapes[2].get(1);
    denseProjection.initialize(manager, dataType, new Shape(b, imageTokens - 1, c));
    pooledProjection.initialize(manager, dataType, inputShapes[0]);
    Shape x = new Shape(b, imageTokens + t, width);
    for (DecoderLayer layer : layers) {
      layer.initialize(manager, dataType, x, new Shape(imageTokens + t, imageTokens + t));
    }
    head.initialize(manager, dataType, new Shape(b, t, width));
  }

  /** Pre-norm transformer layer: masked multi-head self-attention, then a GELU MLP. */
  static final class DecoderLayer extends AbstractBlock {
    private final int width;
    private final int heads;
    private final Parameter gamma1;
    private final Parameter beta1;
    private final Parameter gamma2;
    private final Parameter beta2;
    private final Linear qkv;
    private final Linear projection;
    private final Linear expand;
    private final Linear contract;

    DecoderLayer(int width, int heads) {
      this.width = width;
      this.heads = heads;
      gamma1 = addParameter(Parameter.builder().setName("gamma1").setType(Parameter.Type.GAMMA).optShape(new Shape(width)).build());
      beta1 = addParameter(Parameter.builder().setName("beta1").setType(Parameter.Type.BETA).optShape(new Shape(width)).build());
      gamma2 = addParameter(Parameter.builder().setName("gamma2").setType(Parameter.Type.GAMMA).optShape(new Shape(width)).build());
      beta2 = addParameter(Parameter.builder().setName("beta2").setType(Parameter.Type.BETA).optShape(new Shape(width)).build());
      qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
      projection = addChildBlock("projection", Linear.builder().setUnits(width).build());
      expand = addChildBlock("expand", Linear.builder().setUnits(4L * width).build());
      contract = addChildBlock("contract", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.get(0);
      NDArray[] qkvHeads = heads(ps, x, training);
      x = x.add(attend(ps, qkvHeads[0], qkvHeads[1], qkvHeads[2], inputs.get(1), training));
      return new NDList(mlp(ps, x, training));
    }

    /** An image-only step: {keys, values, output} of the image tokens (they see only each other). */
    NDArray[] imageStep(ParameterStore ps, NDArray x) {
      NDArray[] qkvHeads = heads(ps, x, false);
      NDArray out = mlp(ps, x.add(attend(ps, qkvHeads[0], qkvHeads[1], qkvHeads[2], null, false)), false);
      return new NDArray[] {qkvHeads[1], qkvHeads[2], out};
    }

    /** A caption-only step attending to the cached image keys and values and to earlier caption tokens. */
    NDArray textStep(ParameterStore ps, NDArray x, NDArray imageKeys, NDArray imageValues, NDArray mask) {
      NDArray[] qkvHeads = heads(ps, x, false);
      NDArray k = imageKeys.concat(qkvHeads[1], 2);
      NDArray v = imageValues.concat(qkvHeads[2], 2);
      return mlp(ps, x.add(attend(ps, qkvHeads[0], k, v, mask, false)), false);
    }

    /** q, k, v as [B, heads, len, d]. */
    private NDArray[] heads(ParameterStore ps, NDArray x, boolean training) {
      Shape s = x.getShape();
      NDArray h = norm(ps, x, gamma1, beta1, training);
      NDArray q3 = qkv.forward(ps, new NDList(h), training).head()
          .reshape(s.get(0), s.get(1), 3, heads, width / heads).transpose(2, 0, 3, 1, 4);
      return new NDArray[] {q3.get(0), q3.get(1), q3.get(2)};
    }

    private NDArray attend(ParameterStore ps, NDArray q, NDArray k, NDArray v, NDArray mask, boolean training) {
      Shape s = q.getShape();
      NDArray scores = ScalarOps.dividedBy(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(width / heads));
      if (mask != null) {
        scores = scores.add(mask);
      }
      NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), width);
      return projection.forward(ps, new NDList(attended), training).head();
    }

    private NDArray mlp(ParameterStore ps, NDArray x, boolean training) {
      NDArray h = norm(ps, x, gamma2, beta2, training);
      h = Activation.gelu(expand.forward(ps, new NDList(h), training).head());
      return x.add(contract.forward(ps, new NDList(h), training).head());
    }

    private NDArray norm(ParameterStore ps, NDArray x, Parameter gamma, Parameter beta, boolean training) {
      return LayerNorm.layerNorm(x, new Shape(width), ps.getValue(gamma, x.getDevice(), training),
          ps.getValue(beta, x.getDevice(), training), NORM_EPS).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape x = inputShapes[0];
      qkv.initialize(manager, dataType, x);
      projection.initialize(manager, dataType, x);
      expand.initialize(manager, dataType, x);
      contract.initialize(manager, dataType, new Shape(x.get(0), x.get(1), 4L * width));
    }
  }
}
