package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

/** Children applied one after another (a stem, a stage, a downsampling step). */
final class Sequence extends FixedShapeBlock {

  Sequence add(String name, Block block) {
    addChildBlock(name, block);
    return this;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList x = inputs;
    for (Pair<String, Block> child : getChildren()) {
      x = child.getValue().forward(ps, x, training, params);
    }
    return x;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] s = inputShapes;
    for (Pair<String, Block> child : getChildren()) {
      s = child.getValue().getOutputShapes(s);
    }
    return s;
  }
}
