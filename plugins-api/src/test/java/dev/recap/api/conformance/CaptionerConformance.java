package dev.recap.api.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Conformance kit for {@link Captioner} plugins. Extend it from the plugin's tests and supply the
 * captioner, a few requests and (for trainable captioners) how to prepare a session.
 *
 * <p>Checks: one caption per request, in order, with the request's key; a batch of one gives the
 * same caption as the same request inside a batch of many; two sessions opened with the same
 * config and seed (and prepared the same way) give identical captions; a caption is never empty
 * without a reason; id and version are well formed.
 */
public abstract class CaptionerConformance {

  /** The captioner under test (a fresh instance). */
  protected abstract Captioner captioner();

  /**
   * At least three requests with distinct keys, such as the plugin's real inputs look (images,
   * source captions, annotations).
   */
  protected abstract List<CaptionRequest> requests();

  /** The configuration sessions are opened with. */
  protected PluginConfig config() {
    return PluginConfig.empty();
  }

  /** The host extensions handed to {@link Captioner#open}. */
  protected Extensions extensions() {
    return Extensions.of();
  }

  /** Brings a fresh session to a usable state, e.g. trains it; nothing by default. */
  protected void prepare(Captioner.Session session) {}

  /** The seed sessions are opened with. */
  protected long seed() {
    return 7L;
  }

  private List<Caption> captionWithFreshSession(List<CaptionRequest> batch) throws Exception {
    try (Captioner.Session session = captioner().open(config(), seed(), extensions())) {
      prepare(session);
      return session.caption(batch);
    }
  }

  @Test
  void idIsLowerCaseAndVersionIsPresent() {
    Captioner c = captioner();
    assertNotNull(c.id(), "id");
    assertTrue(c.id().matches("[a-z0-9][a-z0-9-]*"), "id must be lower case letters, digits, dashes: " + c.id());
    assertNotNull(c.version(), "version");
    assertFalse(c.version().isBlank(), "version must not be blank");
  }

  @Test
  void givesOneCaptionPerRequestInOrderWithTheRequestKey() throws Exception {
    List<CaptionRequest> batch = requests();
    assertTrue(batch.size() >= 3, "the kit needs at least three requests, got " + batch.size());
    List<Caption> captions = captionWithFreshSession(batch);
    assertEquals(batch.size(), captions.size(), "one caption per request");
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(batch.get(i).key(), captions.get(i).key(), "caption " + i + " carries the request's key");
    }
  }

  @Test
  void neverGivesAnEmptyCaptionWithoutAReason() throws Exception {
    for (Caption c : captionWithFreshSession(requests())) {
      if (c.present()) {
        assertFalse(c.text().isBlank(), "caption of " + c.key());
      } else {
        assertNotNull(c.reason(), "an absent caption of " + c.key() + " must say why");
        assertFalse(c.reason().isBlank(), "an absent caption of " + c.key() + " must say why");
      }
    }
  }

  @Test
  void batchOfOneGivesTheSameCaptionsAsOneBatchOfMany() throws Exception {
    List<CaptionRequest> batch = requests();
    List<Caption> many = captionWithFreshSession(batch);
    List<Caption> ones = new ArrayList<>();
    try (Captioner.Session session = captioner().open(config(), seed(), extensions())) {
      prepare(session);
      for (CaptionRequest r : batch) {
        List<Caption> one = session.caption(List.of(r));
        assertEquals(1, one.size(), "a batch of one gives one caption");
        ones.add(one.get(0));
      }
    }
    assertEquals(many, ones);
  }

  @Test
  void isDeterministicUnderASeed() throws Exception {
    List<CaptionRequest> batch = requests();
    assertEquals(captionWithFreshSession(batch), captionWithFreshSession(batch));
  }

  @Test
  void emptyBatchGivesNoCaptions() throws Exception {
    assertEquals(List.of(), captionWithFreshSession(List.of()));
  }
}
