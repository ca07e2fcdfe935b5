package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW over parameter groups with their own learning rates (the head; each top-level child
 * block of the encoder with layer-wise decay), each cosine-decayed to zero over the run.
 * After each update the gradients are zeroed (libtorch accumulates them).
 */
final class LayerwiseOptimizer {

  private record Group(Optimizer optimizer, List<Parameter> parameters) {}

  private final List<Group> groups = new ArrayList<>();

  private LayerwiseOptimizer() {}

  /** Head only: one group. */
  static LayerwiseOptimizer forHead(Block head, double lr, double weightDecay, int totalSteps) {
    LayerwiseOptimizer o = new LayerwiseOptimizer();
    o.add(trainable(head), lr, weightDecay, totalSteps);
    return o;
  }

  /**
   * Head at {@code headLr}; encoder child {@code i} of {@code n} at
   * {@code encoderLr * layerDecay^(n-1-i)}; the encoder's own direct parameters at
   * {@code encoderLr * layerDecay^n} (they sit at the input end in ViTs: position embeddings).
   */
  static LayerwiseOptimizer forFinetuning(Block head, Block encoder, double headLr, double encoderLr,
      double layerDecay, double weightDecay, int totalSteps) {
    LayerwiseOptimizer o = new LayerwiseOptimizer();
    o.add(trainable(head), headLr, weightDecay, totalSteps);
    List<Block> children = encoder.getChildren().values();
    int n = children.size();
    List<Parameter> direct = new ArrayList<>();
    for (Pair<String, Parameter> p : encoder.getDirectParameters()) {
      if (p.getValue().requiresGradient()) {
        direct.add(p.getValue());
      }
    }
    o.add(direct, encoderLr * Math.pow(layerDecay, n), weightDecay, totalSteps);
    for (int i = 0; i < n; i++) {
      o.add(trainable(children.get(i)), encoderLr * Math.pow(layerDecay, n - 1 - i), weightDecay, totalSteps);
    }
    return o;
  }

  private static List<Parameter> trainable(Block block) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  private void add(List<Parameter> parameters, double lr, double weightDecay, int totalSteps) {
    if (parameters.isEmpty()) {
      return;
    }
    Tracker schedule = Tracker.cosine().setBaseValue((float) lr).optFinalValue(0f).setMaxUpdates(Math.max(1, totalSteps)).build();
    Optimizer adamW = Optimizer.adamW().optLearningRateTracker(schedule).optWeightDecays((float) weightDecay).build();
    groups.add(new Group(adamW, parameters));
  }

  /** Applies the gradients of the last backward pass, then zeroes them. */
  void step(NDManager stepManager) {
    for (Group g : groups) {
      for (Parameter p : g.parameters()) {
        NDArray weight = p.getArray();
        NDArray grad = weight.getGradient();
        // the handle getGradient returns is a new one: let the step's manager close it
        grad.attach(stepManager);
        g.optimizer().update(p.getId(), weight, grad);
        grad.subi(grad);
      }
    }
  }
}
