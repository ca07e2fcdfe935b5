package dev.recap.api.conformance;

import static dev.recap.api.conformance.Expect.assertEquals;
import static dev.recap.api.conformance.Expect.assertFalse;
import static dev.recap.api.conformance.Expect.assertNotNull;
import static dev.recap.api.conformance.Expect.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Captioner} contract for one captioner: one caption per request, in order, with the
 * request's key; a batch of one gives the same caption as the same request inside a batch of
 * many; two sessions opened with the same config and seed (and prepared the same way) give
 * identical captions; a caption is never empty without a reason; id and version are well formed.
 */
public final class CaptionerKit implements ConformanceKit {

  /** Brings a freshly opened session to a usable state, e.g. trains it. */
  @FunctionalInterface
  public interface Preparation {
    /** Prepares {@code session}. */
    void prepare(Captioner.Session session) throws Exception;

    /** Leaves the session as opened. */
    static Preparation none() {
      return session -> {};
    }
  }

  private final Captioner captioner;
  private final List<CaptionRequest> requests;
  private final PluginConfig config;
  private final Extensions extensions;
  private final Preparation preparation;
  private final long seed;

  /**
   * @param captioner the captioner under test
   * @param requests at least three requests with distinct keys, such as the plugin's real inputs look
   * @param config the configuration sessions are opened with
   * @param extensions the host extensions handed to {@link Captioner#open}
   * @param preparation what is done to every fresh session before it captions
   * @param seed the seed sessions are opened with
   */
  public CaptionerKit(Captioner captioner, List<CaptionRequest> requests, PluginConfig config, Extensions extensions,
      Preparation preparation, long seed) {
    this.captioner = java.util.Objects.requireNonNull(captioner, "captioner");
    this.requests = List.copyOf(requests);
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.extensions = java.util.Objects.requireNonNull(extensions, "extensions");
    this.preparation = java.util.Objects.requireNonNull(preparation, "preparation");
    this.seed = seed;
  }

  @Override
  public String extensionPoint() {
    return "Captioner";
  }

  @Override
  public List<Check> checks() {
    return List.of(
        Check.of("idIsLowerCaseAndVersionIsPresent", this::idIsLowerCaseAndVersionIsPresent),
        Check.of("givesOneCaptionPerRequestInOrderWithTheRequestKey", this::givesOneCaptionPerRequestInOrderWithTheRequestKey),
        Check.of("neverGivesAnEmptyCaptionWithoutAReason", this::neverGivesAnEmptyCaptionWithoutAReason),
        Check.of("batchOfOneGivesTheSameCaptionsAsOneBatchOfMany", this::batchOfOneGivesTheSameCaptionsAsOneBatchOfMany),
        Check.of("isDeterministicUnderASeed", this::isDeterministicUnderASeed),
        Check.of("emptyBatchGivesNoCaptions", this::emptyBatchGivesNoCaptions));
  }

  private Captioner captioner() {
    return captioner;
  }

  private List<CaptionRequest> requests() {
    return requests;
  }

  private PluginConfig config() {
    return config;
  }

  private Extensions extensions() {
    return extensions;
  }

  private void prepare(Captioner.Session session) throws Exception {
    preparation.prepare(session);
  }

  private long seed() {
    return seed;
  }

  private List<Caption> captionWithFreshSession(List<CaptionRequest> batch) throws Exception {
    try (Captioner.Session session = captioner().open(config(), seed(), extensions())) {
      prepare(session);
      return session.caption(batch);
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void idIsLowerCaseAndVersionIsPresent() {
    Captioner c = captioner();
    assertNotNull(c.id(), "id");
    assertTrue(c.id().matches("[a-z0-9][a-z0-9-]*"), "id must be lower case letters, digits, dashes: " + c.id());
    assertNotNull(c.version(), "version");
    assertFalse(c.version().isBlank(), "version must not be blank");
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void givesOneCaptionPerRequestInOrderWithTheRequestKey() throws Exception {
    List<CaptionRequest> batch = requests();
    assertTrue(batch.size() >= 3, "the kit needs at least three requests, got " + batch.size());
    List<Caption> captions = captionWithFreshSession(batch);
    assertEquals(batch.size(), captions.size(), "one caption per request");
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(batch.get(i).key(), captions.get(i).key(), "caption " + i + " carries the request's key");
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void neverGivesAnEmptyCaptionWithoutAReason() throws Exception {
    for (Caption c : captionWithFreshSession(requests())) {
      if (c.present()) {
        assertFalse(c.text().isBlank(), "caption of " + c.key());
      } else {
        assertNotNull(c.reason(), "an absent caption of " + c.key() + " must say why");
        assertFalse(c.reason().isBlank(), "an absent caption of " + c.key() + " must say why");
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void batchOfOneGivesTheSameCaptionsAsOneBatchOfMany() throws Exception {
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
    assertEquals(many, ones, "captions one at a time differ from the same requests in one batch");
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void isDeterministicUnderASeed() throws Exception {
    List<CaptionRequest> batch = requests();
    assertEquals(captionWithFreshSession(batch), captionWithFreshSession(batch), "two sessions with the same config and seed");
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void emptyBatchGivesNoCaptions() throws Exception {
    assertEquals(List.of(), captionWithFreshSession(List.of()), "an empty batch");
  }
}
