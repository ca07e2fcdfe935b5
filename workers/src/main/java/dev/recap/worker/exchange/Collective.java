package dev.recap.worker.exchange;

/**
 * The collective operations data-parallel replicas need: every rank of a gang calls the same
 * operations in the same order with the same tags and array sizes.
 *
 * <p>The trainer sees only this interface: {@link #single()} for one process, an in-process
 * implementation for replicas on threads, and the Hazelcast-backed one for a worker gang.
 */
public interface Collective {

  /** This replica's rank, 0-based. */
  int rank();

  /** The number of replicas. */
  int worldSize();

  /**
   * Element-wise sum of {@code data} over all ranks, written back into {@code data}. Every rank
   * ends with bit-identical contents.
   *
   * @param tag unique per call within a run (e.g. {@code "grad/step-17"}), the same on every rank
   */
  void allReduceSum(String tag, float[] data);

  /**
   * Every rank's {@code local} array, indexed by rank ({@code result[rank()]} is {@code local}).
   * Ranks may pass arrays of different lengths.
   */
  float[][] allGather(String tag, float[] local);

  /** A world of one: sums are identities, a gather returns the local array. */
  static Collective single() {
    return new Collective() {
      @Override
      public int rank() {
        return 0;
      }

      @Override
      public int worldSize() {
        return 1;
      }

      @Override
      public void allReduceSum(String tag, float[] data) {}

      @Override
      public float[][] allGather(String tag, float[] local) {
        return new float[][] {local};
      }
    };
  }
}
