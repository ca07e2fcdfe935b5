/**
 * The data pipeline: WebDataset shards and dense folders (readers and writers), dense benchmarks
 * as published indexed where they lie ({@link dev.recap.worker.data.DenseIndex}), shard assignment
 * across ranks and tasks, a deterministic shuffle, decoding and augmentation on background
 * threads, and batches handed to DJL. Bad samples are skipped and counted in a {@link
 * dev.recap.worker.data.SkipReport}; a shard that cannot be opened fails with a {@link
 * dev.recap.worker.data.ShardOpenException}.
 */
package dev.recap.worker.data;
