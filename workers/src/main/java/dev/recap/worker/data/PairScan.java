package dev.recap.worker.data;

import dev.recap.api.data.RgbImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The first pass over a user's image-text shards: every record is decoded once, and either kept
 * (its image decodes, it has a caption, its key is new) or skipped with a {@link SkipReason},
 * recorded in the {@link SkipReport} (whose listener may list them). Keys are checked for
 * repeats across every shard scanned with one instance, in scan order: the first wins.
 */
public final class PairScan {

  /** A record that passed: what the second pass needs to copy it, and its image size. */
  public record Pair(String key, String caption, String reference, int width, int height) {}

  /** One shard's verdicts. */
  public record ScannedShard(Path path, long records, List<Pair> kept) {}

  private final CaptionField caption;
  private final CaptionField reference;
  private final SkipReport report;
  private final Set<String> keys = new HashSet<>();

  /**
   * @param reference where a trusted caption is, or null
   * @param report counts skipped samples by reason (also those of a shard that breaks off)
   */
  public PairScan(CaptionField caption, CaptionField reference, SkipReport report) {
    this.caption = caption;
    this.reference = reference;
    this.report = report;
  }

  /**
   * Decodes every record of {@code shard}.
   *
   * @throws ShardOpenException naming the shard if it cannot be opened or is not a tar
   */
  public ScannedShard scan(Path shard) {
    List<Pair> kept = new ArrayList<>();
    long records = 0;
    try (RecordCursor cursor = new TarShard(shard).open(report)) {
      for (RawRecord r = cursor.next(); r != null; r = cursor.next()) {
        records++;
        try {
          kept.add(check(r));
        } catch (BadSampleException e) {
          report.skip(r.shard(), r.key(), e.reason(), e.getMessage());
        } catch (RuntimeException e) {
          report.skip(r.shard(), r.key(), SkipReason.CORRUPT_IMAGE, "unexpected decoding failure: " + e);
        }
      }
    }
    return new ScannedShard(shard, records, List.copyOf(kept));
  }

  private Pair check(RawRecord r) throws BadSampleException {
    byte[] image = imageOf(r);
    if (image == null) {
      throw new BadSampleException(SkipReason.MISSING_IMAGE, "no image member (" + SampleCodec.IMAGE_EXTENSIONS + ") among "
          + r.members().keySet());
    }
    String text = caption.read(r);
    if (text == null) {
      throw new BadSampleException(SkipReason.MISSING_CAPTION, caption.jsonField() == null ? "no caption: key.txt is missing or"
          + " blank" : "no caption: key.json has no text in field '" + caption.jsonField() + "'");
    }
    String trusted = reference == null ? null : reference.read(r);
    RgbImage decoded = ImageCodec.decode(image);
    if (!keys.add(r.key())) {
      throw new BadSampleException(SkipReason.DUPLICATE_KEY, "key '" + r.key() + "' was already read from an earlier record;"
          + " sample keys must be unique across the dataset");
    }
    return new Pair(r.key(), text, trusted, decoded.width(), decoded.height());
  }

  /** The record's image bytes (the first of png, jpg, jpeg, webp it has), or null. */
  static byte[] imageOf(RawRecord r) {
    for (String ext : SampleCodec.IMAGE_EXTENSIONS) {
      if (r.members().containsKey(ext)) {
        return r.members().get(ext);
      }
    }
    return null;
  }

  /** The extension of the record's image member, or null. */
  static String imageExtensionOf(RawRecord r) {
    for (String ext : SampleCodec.IMAGE_EXTENSIONS) {
      if (r.members().containsKey(ext)) {
        return ext;
      }
    }
    return null;
  }
}
