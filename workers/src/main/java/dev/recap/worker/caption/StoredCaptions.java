package dev.recap.worker.caption;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.Captioner;
import java.util.List;

/**
 * The curate source {@code stored}: no captioner runs; each pair's caption stored in the data
 * already (a {@code dataset} stage's {@code referenceCaption}, e.g. recaptions a VLM wrote into
 * key.json offline) is passed on, white space collapsed. {@link CurateHandler} feeds it that
 * caption as the request's source caption; a pair without one gets no caption, with the reason.
 */
final class StoredCaptions implements Captioner {

  static final StoredCaptions INSTANCE = new StoredCaptions();

  private StoredCaptions() {}

  @Override
  public String id() {
    return CurateHandler.STORED;
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Session open(PluginConfig config, long seed, Extensions extensions) {
    return batch -> batch.stream().map(r -> {
      String stored = r.sourceCaption() == null ? "" : r.sourceCaption().strip().replaceAll("\\s+", " ");
      return stored.isEmpty() ? Caption.none(r.key(), "pair has no stored caption (the data stage's referenceCaption field)")
          : Caption.of(r.key(), stored);
    }).toList();
  }
}
