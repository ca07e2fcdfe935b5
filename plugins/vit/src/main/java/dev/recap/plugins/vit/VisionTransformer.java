package dev.recap.plugins.vit;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The ViT image tower, structured as OpenCLIP's {@code VisionTransformer} (without its output
 * projection {@code proj}, which the CLIP model owns).
 *
 * <p>Input {@code NDList(images [B, 3, H, W])}, H and W multiples of the patch size. Output
 * {@code NDList(pooled [B, width], dense [B, C, H/patch, W/patch])}: {@code pooled} is the class
 * token after {@code ln_post}; {@code dense} is the patch tokens after {@code ln_post} ({@code
 * dense: last}, C = width) or every block's patch tokens, each normalized without affine,
 * concatenated along channels ({@code dense: blocks}, C = width * depth).
 *
 * <p>Inputs whose patch grid differs from the configured {@code imageSize}'s grid use the learned
 * positional embedding resampled bilinearly (PyTorch's {@code align_corners=False} rule), done
 * as two small matrix products so it is differentiable on every engine.
 */
final class VisionTransformer extends FixedShapeBlock {

  private final VitConfig config;
  private final Parameter classEmbedding;
  private final Parameter positionalEmbedding;
  private final PatchConvolution conv1;
  private final LayerNormLayer lnPre;
  private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
  private final LayerNormLayer lnPost;

  VisionTransformer(VitConfig config) {
    this.config = config;
    int w = config.width();
    float scale = (float) Math.pow(w, -0.5);
    classEmbedding = parameter("class_embedding", Parameter.Type.WEIGHT, new Shape(w), new NormalInitializer(scale));
    int tokens = config.grid() * config.grid() + 1;
    positionalEmbedding = parameter("positional_embedding", Parameter.Type.WEIGHT, new Shape(tokens, w),
        new NormalInitializer(scale));
    conv1 = addChildBlock("conv1", new PatchConvolution(w, config.patch()));
    lnPre = addChildBlock("ln_pre", new LayerNormLayer(w));
    for (int i = 0; i < config.depth(); i++) {
      blocks.add(addChildBlock("resblock" + i, new ResidualAttentionBlock(w, config.heads(), config.mlpHidden(), config.gelu())));
    }
    lnPost = addChildBlock("ln_post", new LayerNormLayer(w));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.singletonOrThrow();
    Shape s = images.getShape();
    checkInput(s);
    requireTrainableInput(images, training);
    long b = s.get(0);
    int gh = (int) s.get(2) / config.patch();
    int gw = (int) s.get(3) / config.patch();
    int w = config.width();
    NDArray patches = conv1.forward(ps, inputs, training, params).singletonOrThrow();
    NDArray x = patches.reshape(b, w, (long) gh * gw).transpose(0, 2, 1);
    NDArray cls = valueLike(ps, classEmbedding, x, training).reshape(1, 1, w).broadcast(b, 1, w);
    x = NDArrays.concat(new NDList(cls, x), 1);
    NDArray pos = ps.getValue(positionalEmbedding, images.getDevice(), training);
    x = x.add(asTypeOf(resample(pos, gh, gw, images.getManager()), x));
    x = lnPre.forward(ps, new NDList(x), training, params).singletonOrThrow();
    NDList perBlock = new NDList();
    for (ResidualAttentionBlock block : blocks) {
      x = block.forward(ps, new NDList(x), training, params).singletonOrThrow();
      if (config.dense() == VitConfig.DenseMode.BLOCKS) {
        perBlock.add(toMap(normalize(x.get(":, 1:, :")), b, gh, gw));
      }
    }
    x = lnPost.forward(ps, new NDList(x), training, params).singletonOrThrow();
    NDArray pooled = x.get(":, 0, :");
    NDArray dense = config.dense() == VitConfig.DenseMode.BLOCKS
        ? NDArrays.concat(perBlock, 1)
        : toMap(x.get(":, 1:, :"), b, gh, gw);
    return new NDList(pooled, dense);
  }

  private void checkInput(Shape s) {
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new IllegalArgumentException("vit expects images [B, 3, H, W], got " + s);
    }
    if (s.get(2) % config.patch() != 0 || s.get(3) % config.patch() != 0) {
      throw new IllegalArgumentException("vit input " + s.get(2) + "x" + s.get(3)
          + " is not a multiple of the patch size " + config.patch() + "; resize or crop the images");
    }
  }

  /** Tokens {@code [B, N, C]} to a map {@code [B, C, gh, gw]}. */
  private static NDArray toMap(NDArray tokens, long b, int gh, int gw) {
    return tokens.transpose(0, 2, 1).reshape(b, tokens.getShape().get(2), gh, gw);
  }

  /** LayerNorm without affine: intermediate blocks have no trained norm of their own. */
  private static NDArray normalize(NDArray tokens) {
    NDArray x = float32(tokens);
    NDArray centered = x.sub(x.mean(new int[] {-1}, true));
    return asTypeOf(centered.div(centered.square().mean(new int[] {-1}, true).add(LayerNormLayer.EPS).sqrt()), tokens);
  }

  /** The positional embedding for a {@code gh x gw} patch grid. */
  private NDArray resample(NDArray pos, int gh, int gw, NDManager manager) {
    int g = config.grid();
    if (gh == g && gw == g) {
      return pos;
    }
    int w = config.width();
    NDArray cls = pos.get("0:1, :");
    NDArray grid = pos.get("1:, :").reshape(g, (long) g * w);
    NDArray ry = manager.create(bilinear(gh, g), new Shape(gh, g));
    NDArray rx = manager.create(bilinear(gw, g), new Shape(gw, g));
    NDArray rows = ry.matMul(grid).reshape(gh, g, w);
    NDArray both = rx.broadcast(gh, gw, g).matMul(rows);
    return NDArrays.concat(new NDList(cls, both.reshape((long) gh * gw, w)), 0);
  }

  /** Row-major {@code [out, in]} matrix of PyTorch's bilinear weights, align_corners=False. */
  static float[] bilinear(int out, int in) {
    float[] m = new float[out * in];
    double scale = (double) in / out;
    for (int d = 0; d < out; d++) {
      double src = Math.max(0, (d + 0.5) * scale - 0.5);
      int i0 = Math.min((int) Math.floor(src), in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      double l1 = src - i0;
      m[d * in + i0] += (float) (1 - l1);
      m[d * in + i1] += (float) l1;
    }
    return m;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    long b = s.get(0);
    int p = config.patch();
    return new Shape[] {new Shape(b, config.width()), new Shape(b, config.denseChannels(), s.get(2) / p, s.get(3) / p)};
  }

  /** The patch embedding: a {@code p x p} stride-{@code p} convolution, weight {@code [W, 3, p, p]},
   * no bias (as OpenCLIP's {@code conv1}). */
  private static final class PatchConvolution extends FixedShapeBlock {
    private final int patch;
    private final Parameter weight;

    PatchConvolution(int width, int patch) {
      this.patch = patch;
      weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(width, 3, patch, patch),
          new NormalInitializer((float) Math.sqrt(1.0 / (3.0 * patch * patch))));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray images = inputs.singletonOrThrow();
      return Conv2d.conv2d(images, valueLike(ps, weight, images, training), null,
          new Shape(patch, patch), new Shape(0, 0), new Shape(1, 1), 1);
    }
  }
}
