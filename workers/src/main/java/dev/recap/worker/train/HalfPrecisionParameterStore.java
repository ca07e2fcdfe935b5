package dev.recap.worker.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands blocks float16 copies of the fp32 master parameters, made once per step inside the step's
 * scope. DJL's cast is not recorded by autograd, so each copy is its own gradient leaf (the
 * classic mixed-precision recipe: fp16 model copy, fp16 gradients, fp32 master update); the
 * trainer reads the gradients from here.
 */
final class HalfPrecisionParameterStore extends ParameterStore {

  private final NDManager scope;
  private final Map<String, NDArray> copies = new HashMap<>();

  HalfPrecisionParameterStore(NDManager scope) {
    super(scope, false);
    this.scope = scope;
  }

  @Override
  public NDArray getValue(Parameter parameter, Device device, boolean training) {
    return copies.computeIfAbsent(parameter.getId(), id -> {
      NDArray half = parameter.getArray().toType(DataType.FLOAT16, true);
      half.attach(scope);
      half.setRequiresGradient(true);
      return half;
    });
  }

  /** The gradient that reached {@code parameter}'s fp16 copy, as fp32 values (zeros if unused). */
  float[] gradient(Parameter parameter) {
    NDArray half = copies.get(parameter.getId());
    if (half == null) {
      return new float[Math.toIntExact(parameter.getShape().size())];
    }
    return Autograd.gradient(half);
  }
}
