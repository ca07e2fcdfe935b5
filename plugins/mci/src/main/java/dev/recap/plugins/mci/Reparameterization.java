package dev.recap.plugins.mci;

import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/**
 * Carries a trained tower's parameters into the inference-structured tower of the same
 * configuration: {@link Reparameterizable} blocks fuse their branches, every other parameter is
 * copied unchanged. Walks both block trees in step; they have the same children by
 * construction, only the reparameterizable blocks differ inside.
 */
final class Reparameterization {

  private Reparameterization() {}

  static void transfer(Block trained, Block inference) {
    if (trained.getClass() != inference.getClass()) {
      throw new IllegalStateException("block trees differ: " + trained.getClass().getSimpleName() + " vs "
          + inference.getClass().getSimpleName());
    }
    if (trained instanceof Reparameterizable r && !r.isFused()) {
      r.fuseInto(inference);
      return;
    }
    for (Pair<String, Parameter> p : trained.getDirectParameters()) {
      Parameter target = inference.getDirectParameters().get(p.getKey());
      target.setInitializer(Kernel.constant(p.getValue().getArray().toFloatArray(), p.getValue().getShape()));
    }
    BlockList a = trained.getChildren();
    BlockList b = inference.getChildren();
    if (a.size() != b.size()) {
      throw new IllegalStateException("block trees differ in children of " + trained.getClass().getSimpleName());
    }
    for (int i = 0; i < a.size(); i++) {
      transfer(a.valueAt(i), b.valueAt(i));
    }
  }
}
