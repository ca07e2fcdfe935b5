package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.Kernels;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.Gelu;
import dev.recap.api.encoder.ImageTower;
import java.util.ArrayList;
import java.util.List;

/**
 * Masked image modeling on any {@link ImageTower} (the MAE baseline): the encoder sees images
 * whose masked patches are zeroed, and a light decoder (per-cell MLP: C -> hidden -> 3*s*s) reads
 * the primary dense map (stride s) and predicts the normalized pixels of every s x s patch.
 *
 * <p>As a block: input {@code NDList(images [B,3,H,W])}, output {@code NDList(predictions
 * [B, H/s, W/s, 3*s*s])}, patch values in (channel, row, column) order.
 */
public final class MaskedImageModel extends AbstractBlock {

  private static final byte VERSION = 1;

  private final ImageTower image;
  private final int stride;
  private final int patchValues;
  private final Parameter fc1Weight;
  private final Parameter fc1Bias;
  private final Parameter fc2Weight;
  private final Parameter fc2Bias;

  public MaskedImageModel(ImageTower image, int hidden) {
    super(VERSION);
    this.image = image;
    FeatureLevel level = image.primaryLevel();
    this.stride = level.stride();
    this.patchValues = 3 * stride * stride;
    addChildBlock("image", image.block());
    fc1Weight = addParameter(Parameter.builder().setName("decoder.fc1.weight").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(hidden, level.channels())).optInitializer(new NormalInitializer((float) Math.pow(level.channels(), -0.5))).build());
    fc1Bias = addParameter(Parameter.builder().setName("decoder.fc1.bias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(hidden)).optInitializer(new ConstantInitializer(0f)).build());
    fc2Weight = addParameter(Parameter.builder().setName("decoder.fc2.weight").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(patchValues, hidden)).optInitializer(new NormalInitializer((float) Math.pow(hidden, -0.5))).build());
    fc2Bias = addParameter(Parameter.builder().setName("decoder.fc2.bias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(patchValues)).optInitializer(new ConstantInitializer(0f)).build());
  }

  /** Initializes every parameter (fp32) for images of {@code height x width}. */
  public void initialize(NDManager manager, int height, int width) {
    initialize(manager, DataType.FLOAT32, new Shape(1, 3, height, width));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    image.block().initialize(manager, dataType, inputShapes[0]);
  }

  public ImageTower imageTower() {
    return image;
  }

  /** The patch side: the primary dense level's stride. */
  public int patchSize() {
    return stride;
  }

  public List<Parameter> parameterList() {
    return new ArrayList<>(getParameters().values());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.singletonOrThrow();
    NDArray dense = image.block().forward(ps, inputs, training).get(1).transpose(0, 2, 3, 1); // [B, h, w, C]
    // the trainer's kernels: bfloat16 products when the run trains in bf16, DJL's exact ones otherwise
    NDArray out = Kernels.current().feedForward(dense,
        ps.getValue(fc1Weight, images.getDevice(), training), ps.getValue(fc1Bias, images.getDevice(), training),
        ps.getValue(fc2Weight, images.getDevice(), training), ps.getValue(fc2Bias, images.getDevice(), training), Gelu.EXACT);
    return new NDList(out);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape s = in[0];
    return new Shape[] {new Shape(s.get(0), s.get(2) / stride, s.get(3) / stride, patchValues)};
  }
}
