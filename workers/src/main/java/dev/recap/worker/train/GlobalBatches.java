package dev.recap.worker.train;

/**
 * The training data of a gang run as a sequence of fixed global batches: step {@code s} always
 * trains on the same {@link #globalBatch()} samples, whatever the number of replicas, and each
 * rank takes a contiguous slice of them ({@link #slice}). Because the global batch never
 * changes, neither do the loss, the gradient or the learning-rate schedule when the gang
 * shrinks or grows; only the per-rank batch does.
 */
public interface GlobalBatches {

  /** Samples per optimizer step, over all ranks. */
  int globalBatch();

  /** Rows {@code [from, to)} of step {@code step}'s global batch. */
  ClipBatch rows(long step, int from, int to);

  /** Rank {@code rank}'s share of step {@code step}: rows {@code [rB/N, (r+1)B/N)}. */
  default ClipBatch slice(long step, int rank, int worldSize) {
    int b = globalBatch();
    if (worldSize > b) {
      throw new IllegalArgumentException("a gang of " + worldSize + " cannot split a global batch of " + b
          + ": use at most " + b + " workers or a larger batch");
    }
    return rows(step, (int) ((long) rank * b / worldSize), (int) ((long) (rank + 1) * b / worldSize));
  }
}
