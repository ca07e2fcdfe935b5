package dev.recap.plugins.mci;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;

/**
 * A block whose parameters have their shapes fixed at construction, from the configuration,
 * rather than inferred from the input shape. So a tower's parameter count is known before
 * initialization, and one tower serves every input size (the input shape given to
 * {@code initialize} is recorded, not used).
 */
abstract class FixedShapeBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  FixedShapeBlock() {
    super(VERSION);
  }

  final Parameter parameter(String name, Parameter.Type type, Shape shape, Initializer initializer) {
    return addParameter(
        Parameter.builder().setName(name).setType(type).optShape(shape).optInitializer(initializer).build());
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
