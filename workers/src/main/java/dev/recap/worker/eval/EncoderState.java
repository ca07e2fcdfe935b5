package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * What an evaluation changes on the encoder it was handed, saved so that it can be put back: the
 * trainable flags (the frozen protocol freezes everything) and, when finetuning, every parameter's
 * values (batch-norm statistics included). Restoring copies values in place, so the parameters
 * keep their arrays and their managers: the caller's encoder is exactly as it was.
 */
final class EncoderState implements AutoCloseable {

  private final List<Parameter> parameters = new ArrayList<>();
  private final List<Boolean> trainable = new ArrayList<>();
  private final List<NDArray> values = new ArrayList<>();
  private final NDManager copies;

  EncoderState(Block encoder, boolean copyValues, NDManager parent) {
    this.copies = parent.newSubManager();
    for (Pair<String, Parameter> p : encoder.getParameters()) {
      Parameter parameter = p.getValue();
      if (!parameter.isInitialized()) {
        throw new IllegalStateException("encoder parameter '" + p.getKey()
            + "' is not initialized: initialize (or load) the encoder before evaluating it");
      }
      parameters.add(parameter);
      trainable.add(parameter.requiresGradient());
      if (copyValues) {
        NDArray copy = parameter.getArray().duplicate();
        copy.attach(copies);
        values.add(copy);
      }
    }
  }

  void restore() {
    for (int i = 0; i < parameters.size(); i++) {
      Parameter parameter = parameters.get(i);
      if (!values.isEmpty()) {
        values.get(i).copyTo(parameter.getArray());
      }
      parameter.freeze(!trainable.get(i));
    }
  }

  @Override
  public void close() {
    copies.close();
  }
}
