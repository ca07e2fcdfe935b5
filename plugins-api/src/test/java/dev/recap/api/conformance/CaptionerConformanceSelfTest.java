package dev.recap.api.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The kit itself: a well-behaved captioner passes every check, and captioners that each break one
 * rule fail exactly the matching check.
 */
class CaptionerConformanceSelfTest {

  private static final List<CaptionRequest> REQUESTS = List.of(request("a", "a red square"), request("b", null),
      request("c", "two blue circles"), request("d", "a cat"));

  private static CaptionRequest request(String key, String altText) {
    return new CaptionRequest(key, new RgbImage(2, 2, new byte[12]), altText, List.of());
  }

  /**
   * Repeats the alt-text and says why when there is none; {@code answer} turns a batch into the
   * captions the session returns.
   */
  private static Captioner captioner(String id, BiFunction<List<CaptionRequest>, List<Caption>, List<Caption>> answer) {
    return new Captioner() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String version() {
        return "1";
      }

      @Override
      public Session open(PluginConfig config, long seed, Extensions extensions) {
        return batch -> answer.apply(batch, batch.stream().map(CaptionerConformanceSelfTest::echo).toList());
      }
    };
  }

  private static Caption echo(CaptionRequest r) {
    return r.sourceCaption() == null ? Caption.none(r.key(), "no alt-text") : Caption.of(r.key(), r.sourceCaption());
  }

  private static Captioner echoing(BiFunction<List<CaptionRequest>, List<Caption>, List<Caption>> answer) {
    return captioner("echo", answer);
  }

  private static CaptionerKit kit(Captioner captioner) {
    return new CaptionerKit(captioner, REQUESTS, PluginConfig.empty(), Extensions.of(), CaptionerKit.Preparation.none(), 7);
  }

  /** A well-behaved captioner, through the JUnit base class plugins extend. */
  static class Conforming extends CaptionerConformance {
    @Override
    protected Captioner captioner() {
      return echoing((batch, captions) -> captions);
    }

    @Override
    protected List<CaptionRequest> requests() {
      return REQUESTS;
    }
  }

  @Test
  void aWellBehavedCaptionerPassesEveryCheck() {
    CaptionerKit kit = new Conforming().kit();
    KitChecks.assertAllPass(kit);
    assertTrue(kit.run().passed(), kit.run().summary());
  }

  @Test
  void anUpperCaseIdFailsOnlyTheIdCheck() {
    KitChecks.assertOnlyFails(kit(captioner("Echo", (batch, captions) -> captions)), "idIsLowerCaseAndVersionIsPresent");
  }

  @Test
  void captionsUnderAnotherKeyFailOnlyTheKeyCheck() {
    Captioner renaming = echoing((batch, captions) -> captions.stream()
        .map(c -> new Caption(c.key() + "-caption", c.text(), c.reason())).toList());
    KitChecks.assertOnlyFails(kit(renaming), "givesOneCaptionPerRequestInOrderWithTheRequestKey");
  }

  @Test
  void captionsThatDependOnTheBatchSizeFailOnlyTheBatchOfOneCheck() {
    Captioner batchAware = echoing((batch, captions) -> captions.stream()
        .map(c -> c.present() ? Caption.of(c.key(), c.text() + " (one of " + batch.size() + ")") : c).toList());
    KitChecks.assertOnlyFails(kit(batchAware), "batchOfOneGivesTheSameCaptionsAsOneBatchOfMany");
  }

  @Test
  void stateSharedAcrossSessionsFailsOnlyTheDeterminismCheck() {
    // a JVM-wide count of the batches of many captioned so far leaks into the captions; a batch of
    // one reads the count without moving it, so one session's singles still match the batch before
    AtomicInteger batchesOfMany = new AtomicInteger();
    Captioner leaky = echoing((batch, captions) -> {
      int seen = batch.size() > 1 ? batchesOfMany.incrementAndGet() : batchesOfMany.get();
      return captions.stream().map(c -> c.present() ? Caption.of(c.key(), c.text() + " #" + seen) : c).toList();
    });
    KitChecks.assertOnlyFails(kit(leaky), "isDeterministicUnderASeed");
  }

  @Test
  void aCaptionForAnEmptyBatchFailsOnlyTheEmptyBatchCheck() {
    Captioner inventive = echoing((batch, captions) -> batch.isEmpty() ? List.of(Caption.none("", "empty batch")) : captions);
    KitChecks.assertOnlyFails(kit(inventive), "emptyBatchGivesNoCaptions");
  }

  /**
   * {@code neverGivesAnEmptyCaptionWithoutAReason} has no broken captioner of its own: a
   * {@link Caption} refuses to exist empty without a reason, so a captioner that tries throws,
   * naming the request's key, from its first batch, and the kit fails at the first check that
   * captions.
   */
  @Test
  void aCaptionerThatTriesAnEmptyCaptionWithoutAReasonFailsTheKitNamingTheKey() {
    Captioner silent = echoing((batch, captions) -> {
      List<Caption> out = new ArrayList<>(captions);
      if (!out.isEmpty()) {
        out.set(0, new Caption(out.get(0).key(), " ", null));
      }
      return out;
    });
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Caption("a", "", ""));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    ConformanceOutcome outcome = kit(silent).run();
    assertFalse(outcome.passed());
    assertTrue(outcome.failedCheck().equals("givesOneCaptionPerRequestInOrderWithTheRequestKey")
        && outcome.message().contains("'a'"), outcome.summary());
    assertTrue(KitChecks.failures(kit(silent)).containsKey("neverGivesAnEmptyCaptionWithoutAReason"));
  }
}
