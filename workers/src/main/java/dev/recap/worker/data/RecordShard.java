package dev.recap.worker.data;

/**
 * A unit of data assignment: a WebDataset tar or a slice of a dense folder. Ranks and tasks are
 * given whole shards.
 */
public interface RecordShard {

  /** A name for logs and skip reports, e.g. the tar's path. */
  String name();

  /**
   * Opens the shard for streaming.
   *
   * @throws ShardOpenException naming the path and cause if it cannot be opened
   */
  RecordCursor open(SkipReport report);
}
