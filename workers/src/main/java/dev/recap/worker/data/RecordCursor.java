package dev.recap.worker.data;

import java.io.Closeable;

/** Reads the records of one shard in order, streaming. */
public interface RecordCursor extends Closeable {

  /**
   * The next record, or null at the end of the shard. A shard that breaks off (truncated) ends
   * early after counting a {@link SkipReason#TRUNCATED_SHARD}; it never throws for bad data.
   */
  RawRecord next();

  @Override
  void close();
}
