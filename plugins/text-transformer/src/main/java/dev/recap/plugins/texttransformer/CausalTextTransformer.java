package dev.recap.plugins.texttransformer;

import dev.recap.api.Kernels;
import dev.recap.api.encoder.Gelu;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's text transformer: token + learned positional embedding, pre-LN residual blocks with a
 * causal self-attention mask, a final LayerNorm, pooled at each row's end-of-text position.
 *
 * <p>Parameters are named exactly as in OpenCLIP's text tower ({@code token_embedding.weight},
 * {@code transformer.resblocks.N.attn.in_proj_weight}, ...) with the same layouts ({@code [out,
 * in]} for linear weights), so export is a rename-free copy. Initialization follows OpenCLIP.
 */
public final class CausalTextTransformer extends AbstractBlock {

  private static final byte VERSION = 1;
  private static final float LN_EPS = 1e-5f;

  private final int vocabSize;
  private final int contextLength;
  private final int width;
  private final int depth;
  private final int heads;
  private final int mlpWidth;
  private final long endOfText;
  private final Gelu gelu;

  private final Parameter tokenEmbedding;
  private final Parameter positionalEmbedding;
  private final List<Parameter[]> blocks = new ArrayList<>();
  private final Parameter lnFinalWeight;
  private final Parameter lnFinalBias;

  /**
   * With the exact GELU.
   *
   * @param endOfText the id whose (first) position in each row is pooled
   */
  public CausalTextTransformer(int vocabSize, int contextLength, int width, int depth, int heads, int mlpRatio, long endOfText) {
    this(vocabSize, contextLength, width, depth, heads, mlpRatio, endOfText, Gelu.EXACT);
  }

  /**
   * @param endOfText the id whose (first) position in each row is pooled
   * @param gelu the MLP's activation (QuickGELU for OpenAI CLIP checkpoints)
   */
  public CausalTextTransformer(int vocabSize, int contextLength, int width, int depth, int heads, int mlpRatio, long endOfText,
      Gelu gelu) {
    super(VERSION);
    if (width % heads != 0) {
      throw new IllegalArgumentException("width (" + width + ") must be a multiple of heads (" + heads + ")");
    }
    this.vocabSize = vocabSize;
    this.contextLength = contextLength;
    this.width = width;
    this.depth = depth;
    this.heads = heads;
    this.mlpWidth = width * mlpRatio;
    this.endOfText = endOfText;
    this.gelu = gelu;
    tokenEmbedding = param("token_embedding.weight", Parameter.Type.OTHER, new Shape(vocabSize, width), new NormalInitializer(0.02f));
    positionalEmbedding = param("positional_embedding", Parameter.Type.OTHER, new Shape(contextLength, width), new NormalInitializer(0.01f));
    float attnStd = (float) Math.pow(width, -0.5);
    float projStd = attnStd * (float) Math.pow(2.0 * depth, -0.5);
    float fcStd = (float) Math.pow(2.0 * width, -0.5);
    for (int i = 0; i < depth; i++) {
      String p = "transformer.resblocks." + i + ".";
      blocks.add(new Parameter[] {
        param(p + "ln_1.weight", Parameter.Type.GAMMA, new Shape(width), new ConstantInitializer(1f)),
        param(p + "ln_1.bias", Parameter.Type.BETA, new Shape(width), new ConstantInitializer(0f)),
        param(p + "attn.in_proj_weight", Parameter.Type.WEIGHT, new Shape(3L * width, width), new NormalInitializer(attnStd)),
        param(p + "attn.in_proj_bias", Parameter.Type.BIAS, new Shape(3L * width), new ConstantInitializer(0f)),
        param(p + "attn.out_proj.weight", Parameter.Type.WEIGHT, new Shape(width, width), new NormalInitializer(projStd)),
        param(p + "attn.out_proj.bias", Parameter.Type.BIAS, new Shape(width), new ConstantInitializer(0f)),
        param(p + "ln_2.weight", Parameter.Type.GAMMA, new Shape(width), new ConstantInitializer(1f)),
        param(p + "ln_2.bias", Parameter.Type.BETA, new Shape(width), new ConstantInitializer(0f)),
        param(p + "mlp.c_fc.weight", Parameter.Type.WEIGHT, new Shape(mlpWidth, width), new NormalInitializer(fcStd)),
        param(p + "mlp.c_fc.bias", Parameter.Type.BIAS, new Shape(mlpWidth), new ConstantInitializer(0f)),
        param(p + "mlp.c_proj.weight", Parameter.Type.WEIGHT, new Shape(width, mlpWidth), new NormalInitializer(projStd)),
        param(p + "mlp.c_proj.bias", Parameter.Type.BIAS, new Shape(width), new ConstantInitializer(0f)),
      });
    }
    lnFinalWeight = param("ln_final.weight", Parameter.Type.GAMMA, new Shape(width), new ConstantInitializer(1f));
    lnFinalBias = param("ln_final.bias", Parameter.Type.BETA, new Shape(width), new ConstantInitializer(0f));
  }

  private Parameter param(String name, Parameter.Type type, Shape shape, ai.djl.training.initializer.Initializer init) {
    return addParameter(Parameter.builder().setName(name).setType(type).optShape(shape).optInitializer(init).build());
  }

  public int width() {
    return width;
  }

  public int contextLength() {
    return contextLength;
  }

  public int depth() {
    return depth;
  }

  public int heads() {
    return heads;
  }

  public int vocabSize() {
    return vocabSize;
  }

  /** The MLP's hidden width over the width. */
  public int mlpRatio() {
    return mlpWidth / width;
  }

  /** Number of scalar parameters, known before initialization. */
  public long parameterCount() {
    long n = 0;
    for (Parameter p : getDirectParameters().values()) {
      n += p.getShape().size();
    }
    return n;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray tokens = inputs.singletonOrThrow();
    Shape s = tokens.getShape();
    if (s.dimension() != 2 || s.get(1) != contextLength) {
      throw new IllegalArgumentException("text-transformer expects token ids [B, " + contextLength + "], got " + s);
    }
    int batch = (int) s.get(0);
    NDArrayEx ex = tokens.getNDArrayInternal();
    NDArray x = ex.embedding(tokens, value(ps, tokenEmbedding, tokens, training), SparseFormat.DENSE).singletonOrThrow();
    x = x.add(value(ps, positionalEmbedding, tokens, training));
    NDArray mask = causalMask(x.getManager(), x.getDataType());
    for (Parameter[] b : blocks) {
      x = residualBlock(ps, x, mask, b, training);
    }
    x = layerNorm(x, value(ps, lnFinalWeight, x, training), value(ps, lnFinalBias, x, training));
    NDArray rows = x.getManager().create(endOfTextRows(tokens.toLongArray(), batch));
    NDArray pooled = x.reshape(batch * (long) contextLength, width).get(rows);
    return new NDList(pooled);
  }

  private NDArray residualBlock(ParameterStore ps, NDArray x, NDArray mask, Parameter[] b, boolean training) {
    NDArray h = layerNorm(x, value(ps, b[0], x, training), value(ps, b[1], x, training));
    Kernels kernels = Kernels.current();
    x = x.add(kernels.selfAttention(h, value(ps, b[2], x, training), value(ps, b[3], x, training),
        value(ps, b[4], x, training), value(ps, b[5], x, training), heads, mask));
    NDArray m = layerNorm(x, value(ps, b[6], x, training), value(ps, b[7], x, training));
    m = kernels.feedForward(m, value(ps, b[8], x, training), value(ps, b[9], x, training),
        value(ps, b[10], x, training), value(ps, b[11], x, training), gelu);
    return x.add(m);
  }

  private long[] endOfTextRows(long[] ids, int batch) {
    long[] rows = new long[batch];
    for (int r = 0; r < batch; r++) {
      int pos = -1;
      for (int i = 0; i < contextLength; i++) {
        if (ids[r * contextLength + i] == endOfText) {
          pos = i;
          break;
        }
      }
      if (pos < 0) {
        throw new IllegalArgumentException(
            "row " + r + " of the token batch has no end-of-text id " + endOfText + "; encode captions with this encoder's tokenizer");
      }
      rows[r] = (long) r * contextLength + pos;
    }
    return rows;
  }

  /** Additive mask, -inf above the diagonal: position i attends to positions 0..i only. */
  private NDArray causalMask(NDManager manager, DataType type) {
    float[] m = new float[contextLength * contextLength];
    for (int i = 0; i < contextLength; i++) {
      for (int j = i + 1; j < contextLength; j++) {
        m[i * contextLength + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(m, new Shape(contextLength, contextLength)).toType(type, false);
  }

  private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
    return x.getNDArrayInternal().layerNorm(x, new Shape(width), gamma, beta, LN_EPS).singletonOrThrow();
  }

  private static NDArray value(ParameterStore ps, Parameter p, NDArray like, boolean training) {
    return ps.getValue(p, like.getDevice(), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), width)};
  }

  @Override
  public String toString() {
    return "CausalTextTransformer(vocab=" + vocabSize + ", context=" + contextLength + ", width=" + width
        + ", depth=" + depth + ", heads=" + heads + ", activation=" + gelu.configValue() + ")";
  }
}
