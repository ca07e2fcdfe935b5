package dev.recap.plugins.captioners;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.util.List;
import org.pf4j.Extension;

/**
 * The baseline captioner {@code alt-text}: passes the sample's source caption (web alt-text)
 * through, whitespace collapsed. A sample without one gets no caption, with the reason.
 */
@Extension
public final class AltTextCaptioner implements Captioner {

  @Override
  public String id() {
    return "alt-text";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Session open(PluginConfig config, long seed, Extensions extensions) {
    return AltTextCaptioner::caption;
  }

  private static List<Caption> caption(List<CaptionRequest> batch) {
    return batch.stream().map(r -> {
      String source = r.sourceCaption() == null ? "" : r.sourceCaption().strip().replaceAll("\\s+", " ");
      return source.isEmpty()
          ? Caption.none(r.key(), "sample has no source caption (alt-text) to pass through")
          : Caption.of(r.key(), source);
    }).toList();
  }
}
