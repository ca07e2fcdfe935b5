package dev.recap.api.conformance;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link Captioner} contract as JUnit tests. Extend it from the plugin's tests and supply the
 * captioner, a few requests and (for trainable captioners) how to prepare a session; one test per
 * check of {@link CaptionerKit}.
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

  /** The kit bound to this test's captioner, requests and configuration. */
  protected CaptionerKit kit() {
    return new CaptionerKit(captioner(), requests(), config(), extensions(), this::prepare, seed());
  }

  @Test
  void idIsLowerCaseAndVersionIsPresent() {
    kit().idIsLowerCaseAndVersionIsPresent();
  }

  @Test
  void givesOneCaptionPerRequestInOrderWithTheRequestKey() throws Exception {
    kit().givesOneCaptionPerRequestInOrderWithTheRequestKey();
  }

  @Test
  void neverGivesAnEmptyCaptionWithoutAReason() throws Exception {
    kit().neverGivesAnEmptyCaptionWithoutAReason();
  }

  @Test
  void batchOfOneGivesTheSameCaptionsAsOneBatchOfMany() throws Exception {
    kit().batchOfOneGivesTheSameCaptionsAsOneBatchOfMany();
  }

  @Test
  void isDeterministicUnderASeed() throws Exception {
    kit().isDeterministicUnderASeed();
  }

  @Test
  void emptyBatchGivesNoCaptions() throws Exception {
    kit().emptyBatchGivesNoCaptions();
  }
}
