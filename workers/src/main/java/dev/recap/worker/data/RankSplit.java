package dev.recap.worker.data;

/** How a {@link BatchLoader} divides an epoch among data-parallel ranks. */
public enum RankSplit {
  /**
   * Every rank reads every shard in the same order through the same shuffle (seeded by seed and
   * epoch only), and takes its slice of each global batch: global batch {@code k} is the emitted
   * records {@code [k*B*W, (k+1)*B*W)}, and rank {@code r} takes {@code [r*B, (r+1)*B)} of it
   * (the last, partial global batch is split evenly; if it has fewer records than ranks, some
   * ranks get no last batch: use {@code dropLast} for lock-step gangs). Ranks get the same
   * number of full batches, the
   * union of their k-th batches is exactly a single process's k-th batch of size {@code B*W},
   * and the position (records emitted globally) does not depend on the world size, so a gang
   * that re-forms with another size resumes without losing or repeating a sample. Each rank
   * reads all raw bytes but decodes only its share.
   */
  BY_SAMPLE,
  /**
   * Rank {@code r} reads only the shards {@link ShardAssignment#forRank} gives it, through its own
   * shuffle: no rank reads another's bytes, but ranks may get different numbers of batches and a
   * position is only valid for the same world size.
   */
  BY_SHARD
}
