package dev.recap.plugins.captioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradients of one training step, by parameter name: clipped to a global norm before the
 * optimizer applies them, or cleared when the step is skipped.
 */
final class StepGradients {

  private final Map<String, NDArray> byName;

  private StepGradients(Map<String, NDArray> byName) {
    this.byName = byName;
  }

  /**
   * Every trainable parameter's gradient in {@code network}, each a new handle on the gradient's
   * storage owned by {@code step} (closed with the step).
   */
  static StepGradients of(Block network, NDManager step) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    for (var e : network.getParameters()) {
      Parameter p = e.getValue();
      if (p.requiresGradient() && p.isInitialized() && p.getArray().hasGradient()) {
        NDArray g = p.getArray().getGradient();
        g.attach(step);
        grads.put(e.getKey(), g);
      }
    }
    return new StepGradients(grads);
  }

  /**
   * Scales all gradients so that their global L2 norm is at most {@code maxNorm} (symmetric, unlike
   * DJL's Adam clip) and returns the norm before scaling; a non-finite norm is returned unscaled.
   */
  float clipToGlobalNorm(float maxNorm) {
    double sumSquares = 0;
    for (NDArray g : byName.values()) {
      sumSquares += g.square().sum().getFloat();
    }
    float norm = (float) Math.sqrt(sumSquares);
    if (Float.isFinite(norm) && norm > maxNorm) {
      float scale = maxNorm / norm;
      for (NDArray g : byName.values()) {
        g.muli(scale);
      }
    }
    return norm;
  }

  /** The parameters whose gradient has a non-finite element (at most 6 named), for the skip message. */
  String nonFinite() {
    List<String> names = new ArrayList<>();
    int count = 0;
    for (var e : byName.entrySet()) {
      NDArray g = e.getValue();
      if (g.isInfinite().logicalOr(g.isNaN()).any().getBoolean()) {
        count++;
        if (names.size() < 6) {
          names.add(e.getKey());
        }
      }
    }
    return count + " parameter(s) " + names + (count > names.size() ? "..." : "");
  }

  /** Clears every gradient in place, so that nothing of a skipped step reaches the next one. */
  void zero() {
    byName.values().forEach(StepGradients::zeroInPlace);
  }

  /**
   * Sets every element of {@code g} to 0 in place, NaN and infinities included ({@code x^0 = 1}
   * for every x, then times 0; {@code g * 0} would keep NaN). Never {@code g.set(buffer)}: on
   * PyTorch that makes the tensor's storage the Java buffer held by this one handle, and once the
   * handle is closed and collected, the parameter's gradient points into freed memory (the next
   * backward then accumulates into it: garbage gradients and a corrupted native heap).
   */
  static void zeroInPlace(NDArray g) {
    g.powi(0).muli(0);
  }
}
