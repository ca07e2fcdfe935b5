package dev.recap.plugins.mci;

import dev.recap.api.Kernels;
import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.encoder.FeatureLevel;
import java.util.ArrayList;
import java.util.List;

/**
 * The MCi image tower (MobileCLIP's FastViT variant).
 *
 * <p>Input {@code NDList(images [B, 3, H, W])}, H and W multiples of 32. Output {@code
 * NDList(pooled, level0, ...)}: {@code pooled [B, D]} is the global mean of {@code conv_exp}'s
 * output (then {@code head_proj} when {@code projectionDim > 0}); stage {@code i}'s output is
 * {@code [B, dims[i], H / s, W / s]} at strides 4, 8, 16, 32.
 *
 * <ul>
 *   <li>{@code dense: stage3} (default): levels are stage 3, 1, 2, 4. Level 0 is stage 3 (stride
 *       16): the last RepMixer stage, at the resolution a ViT-B/16 probe sees, with the most
 *       semantic features that are still dense; levels 1-3 are the remaining stages, fine to
 *       coarse.
 *   <li>{@code dense: stride8}: level 0 is stage 2 concatenated with stage 3 upsampled
 *       bilinearly to stage 2's grid (stride 8, {@code dims[1] + dims[2]} channels); levels 1-4
 *       are stages 1-4. Stage 2 alone has seen only a few blocks; adding stage 3 keeps the
 *       semantic features a stride-16 probe reads and gives them the grid of a patch-8 ViT,
 *       without a parameter of its own (a pretrained tower probes either way).
 * </ul>
 */
final class MciTower extends FixedShapeBlock {

  /** Stage index of each dense level, in output order. */
  static final int[] LEVEL_STAGES = {2, 0, 1, 3};

  private static final int[] STAGE_STRIDES = {4, 8, 16, 32};

  private final MciConfig config;
  private final Sequence stem;
  private final Sequence[] stages = new Sequence[MciConfig.STAGES];
  private final Sequence[] downsamples = new Sequence[MciConfig.STAGES - 1];
  private final MobileOneBlock convExp;
  private final Parameter headProj;

  MciTower(MciConfig c) {
    this.config = c;
    boolean fused = c.reparameterized();
    int[] d = c.dims();
    MobileOneBlock.Options plain = MobileOneBlock.Options.PLAIN;
    stem = addChildBlock("patch_embed", new Sequence()
        .add("conv0", new MobileOneBlock(3, d[0], 3, 2, 1, plain, fused))
        .add("conv1", new MobileOneBlock(d[0], d[0], 3, 2, d[0], plain, fused))
        .add("conv2", new MobileOneBlock(d[0], d[0], 1, 1, 1, plain, fused)));
    for (int i = 0; i < MciConfig.STAGES; i++) {
      Sequence stage = new Sequence();
      if (i == 3) {
        stage.add("pos_emb", new RepCpe(d[i], 7, fused));
      }
      for (int j = 0; j < c.layers()[i]; j++) {
        stage.add("block" + j, i < 3
            ? new RepMixerBlock(d[i], c.hidden(i), c.layerScaleInit(), fused)
            : new AttentionBlock(d[i], c.hidden(i), c.headDim(), c.layerScaleInit()));
      }
      stages[i] = addChildBlock("stage" + i, stage);
      if (i < 3) {
        // the reference uses squeeze-excite in the downsampling into stages 3 and 4
        boolean se = i + 1 >= 2;
        downsamples[i] = addChildBlock("downsample" + i, new Sequence()
            .add("lkb", new ReparamLargeKernelConv(d[i], d[i + 1], 7, 2, d[i], 3, se, fused))
            .add("pw", new MobileOneBlock(d[i + 1], d[i + 1], 1, 1, 1, plain, fused)));
      }
    }
    convExp = addChildBlock("conv_exp", new MobileOneBlock(d[3], c.expandedWidth(), 3, 1, d[3],
        new MobileOneBlock.Options(true, true, true, 1), fused));
    headProj = c.projectionDim() > 0
        ? parameter("head_proj", Parameter.Type.WEIGHT, new Shape(c.expandedWidth(), c.projectionDim()),
            new NormalInitializer((float) Math.pow(c.expandedWidth(), -0.5)))
        : null;
  }

  static List<FeatureLevel> levels(MciConfig c) {
    List<FeatureLevel> levels = new ArrayList<>();
    if (c.dense() == MciConfig.DenseMode.STRIDE8) {
      levels.add(new FeatureLevel(c.dims()[1] + c.dims()[2], STAGE_STRIDES[1]));
      for (int i = 0; i < MciConfig.STAGES; i++) {
        levels.add(new FeatureLevel(c.dims()[i], STAGE_STRIDES[i]));
      }
      return levels;
    }
    for (int i : LEVEL_STAGES) {
      levels.add(new FeatureLevel(c.dims()[i], STAGE_STRIDES[i]));
    }
    return levels;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    Shape s = inputs.singletonOrThrow().getShape();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) % 32 != 0 || s.get(3) % 32 != 0) {
      throw new IllegalArgumentException("mci expects images [B, 3, H, W] with H and W multiples of 32, got " + s
          + "; resize or crop the images");
    }
    requireTrainableInput(inputs.singletonOrThrow(), training);
    NDList x = stem.forward(ps, inputs, training, params);
    NDArray[] stageOut = new NDArray[MciConfig.STAGES];
    for (int i = 0; i < MciConfig.STAGES; i++) {
      x = stages[i].forward(ps, x, training, params);
      stageOut[i] = x.singletonOrThrow();
      if (i < 3) {
        x = downsamples[i].forward(ps, x, training, params);
      }
    }
    NDArray expanded = convExp.forward(ps, x, training, params).singletonOrThrow();
    Shape e = expanded.getShape();
    NDArray pooled = expanded.reshape(e.get(0), e.get(1), e.get(2) * e.get(3)).mean(new int[] {2});
    if (headProj != null) {
      pooled = Kernels.current().matMul(pooled, valueLike(ps, headProj, pooled, training));
    }
    NDList out = new NDList(pooled);
    if (config.dense() == MciConfig.DenseMode.STRIDE8) {
      Shape fine = stageOut[1].getShape();
      NDArray upsampled = stageOut[2].getNDArrayInternal()
          .interpolation(new long[] {fine.get(2), fine.get(3)}, Image.Interpolation.BILINEAR.ordinal(), false);
      out.add(NDArrays.concat(new NDList(stageOut[1], upsampled), 1));
      for (NDArray stage : stageOut) {
        out.add(stage);
      }
      return out;
    }
    for (int stage : LEVEL_STAGES) {
      out.add(stageOut[stage]);
    }
    return out;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    long b = s.get(0);
    List<FeatureLevel> levels = levels(config);
    Shape[] out = new Shape[1 + levels.size()];
    out[0] = new Shape(b, config.embeddingDim());
    for (int i = 0; i < levels.size(); i++) {
      FeatureLevel l = levels.get(i);
      out[i + 1] = new Shape(b, l.channels(), s.get(2) / l.stride(), s.get(3) / l.stride());
    }
    return out;
  }
}
