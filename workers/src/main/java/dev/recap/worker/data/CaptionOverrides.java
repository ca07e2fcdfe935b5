package dev.recap.worker.data;

import java.util.Map;
import java.util.Optional;

/**
 * Curated captions by sample key, e.g. read from the Avro sidecar files beside the shards (the
 * curation stage owns that format). Implementations must be thread safe: decoding threads query
 * them concurrently.
 */
public interface CaptionOverrides {

  /** The curated caption of {@code key}, if there is one. */
  Optional<String> caption(String key);

  /** No curated captions. */
  static CaptionOverrides none() {
    return key -> Optional.empty();
  }

  /** Curated captions from a map (copied). */
  static CaptionOverrides of(Map<String, String> captions) {
    Map<String, String> copy = Map.copyOf(captions);
    return key -> Optional.ofNullable(copy.get(key));
  }
}
