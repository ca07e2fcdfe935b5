package dev.recap.api.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;

/**
 * A block whose parameters have their shapes fixed at construction, from the configuration,
 * rather than inferred from the input shape. So a tower's parameter count is known before
 * initialization, and one tower serves every input size (the input shape given to
 * {@code initialize} is recorded, not used).
 *
 * <p>Activations may be float32, or float16 for inference; parameters are float32 either way
 * (see {@link #valueLike}). Shared by the encoder plugins so that how a forward pass reads its
 * parameters (and who owns the handles it creates) is decided once.
 */
public abstract class FixedShapeBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  protected FixedShapeBlock() {
    super(VERSION);
  }

  /** Adds a parameter whose shape is fixed now, from the configuration. */
  protected final Parameter parameter(String name, Parameter.Type type, Shape shape, Initializer initializer) {
    return addParameter(
        Parameter.builder().setName(name).setType(type).optShape(shape).optInitializer(initializer).build());
  }

  /**
   * A parameter's value in the dtype of the activation {@code like}: float16 activations get a
   * per-forward float16 copy of the float32 parameter. Inference only: DJL 0.36's PyTorch
   * {@code toType} does not record autograd history, so no gradient would cross the cast (see
   * {@link #requireTrainableInput}).
   */
  public static NDArray valueLike(ParameterStore ps, Parameter p, NDArray like, boolean training) {
    NDArray v = ps.getValue(p, like.getDevice(), training);
    // A fresh handle (a view, or the cast copy) owned by the activation's manager: DJL attaches an
    // op's result to its receiver's manager, so ops called on the parameter array itself
    // (layerScale.mul(x), classToken.reshape(...)) would pile up in the model's manager forever.
    NDArray value = v.getDataType() == like.getDataType() ? v.reshape(v.getShape()) : v.toType(like.getDataType(), false);
    value.attach(like.getManager());
    return value;
  }

  /** {@code x} in float32 if it is float16: norms, softmax and statistics never run in float16. */
  public static NDArray float32(NDArray x) {
    return x.getDataType() == DataType.FLOAT16 ? x.toType(DataType.FLOAT32, false) : x;
  }

  /**
   * Fails if {@code images} are float16 in training mode: only activations in the parameters'
   * own dtype keep every parameter in the autograd graph.
   */
  public static void requireTrainableInput(NDArray images, boolean training) {
    if (training && images.getDataType() == DataType.FLOAT16) {
      throw new IllegalArgumentException("training needs float32 images, got " + images.getDataType()
          + ": float16 activations are for inference only (DJL's PyTorch toType does not propagate"
          + " gradients, so parameters behind a cast would silently get none)");
    }
  }

  /** {@code y} back in the dtype of {@code like}. */
  public static NDArray asTypeOf(NDArray y, NDArray like) {
    return y.getDataType() == like.getDataType() ? y : y.toType(like.getDataType(), false);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (Pair<String, Block> child : getChildren()) {
      child.getValue().initialize(manager, dataType, inputShapes);
    }
  }

  /** Shape-preserving by default; blocks that change the shape override this. */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
