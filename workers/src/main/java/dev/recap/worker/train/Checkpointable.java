package dev.recap.worker.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A trainer whose whole state a {@link Checkpoint} saves and restores: the model's parameters,
 * the AdamW state, the step and, in fp16, the loss scale. Restoring all of it makes the steps
 * that follow bit-identical to an uninterrupted run.
 */
public interface Checkpointable {

  /** Writes the model's parameters in DJL's format. */
  void saveParameters(DataOutputStream out) throws IOException;

  /** Reads what {@link #saveParameters} wrote into the model, which has the same configuration. */
  void restoreParameters(NDManager manager, DataInputStream in) throws IOException, MalformedModelException;

  AdamW optimizer();

  /** Steps taken so far: the index of the next step. */
  long step();

  /** Sets the step training goes on from. */
  void restoreStep(long step);

  /** CRC-32 of the trained parameters, equal before the save and after the restore. */
  long parameterChecksum();

  /** The fp16 loss scale (1 without one). */
  default float lossScale() {
    return 1f;
  }

  /** Steps since the fp16 loss scale last changed. */
  default int cleanSteps() {
    return 0;
  }

  /** Sets what {@link #lossScale()} and {@link #cleanSteps()} report. */
  default void restoreLossScale(float scale, int clean) {}
}
