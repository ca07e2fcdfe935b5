package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads one WebDataset shard as decoded samples, streaming and in shard order; bad samples are
 * skipped and counted in the report. Each {@link #iterator()} opens the shard afresh and closes
 * it when exhausted.
 */
public final class WebDatasetReader implements Iterable<Sample> {

  private final RecordShard shard;
  private final SkipReport report;
  private final boolean requireCaption;

  /**
   * @param requireCaption whether samples without a caption are skipped (true for image-text pairs)
   */
  public WebDatasetReader(Path shard, SkipReport report, boolean requireCaption) {
    this(new TarShard(shard), report, requireCaption);
  }

  public WebDatasetReader(RecordShard shard, SkipReport report, boolean requireCaption) {
    this.shard = shard;
    this.report = report;
    this.requireCaption = requireCaption;
  }

  /** @throws ShardOpenException if the shard cannot be opened */
  @Override
  public Iterator<Sample> iterator() {
    RecordCursor cursor = shard.open(report);
    return new Iterator<>() {
      private Sample next = advance();

      private Sample advance() {
        RawRecord r;
        while ((r = cursor.next()) != null) {
          try {
            return SampleCodec.decode(r, requireCaption);
          } catch (BadSampleException e) {
            report.skip(r.shard(), r.key(), e.reason(), e.getMessage());
          }
        }
        cursor.close();
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Sample next() {
        if (next == null) {
          throw new NoSuchElementException("end of shard " + shard.name());
        }
        Sample s = next;
        next = advance();
        return s;
      }
    };
  }
}
