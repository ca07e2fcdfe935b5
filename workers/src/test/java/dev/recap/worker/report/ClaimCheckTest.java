package dev.recap.worker.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.worker.report.ClaimCheck.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimCheckTest {

  private final List<RunResult> results = new ArrayList<>();

  /** One result per value: value i is seed i + 1. */
  private void add(String run, String protocol, double fraction, String metric, double... values) {
    addWithTestError(run, protocol, fraction, metric, null, values);
  }

  /** As {@link #add}, each result also recording a test-resampling standard error (null: none). */
  private void addWithTestError(String run, String protocol, double fraction, String metric, Double testError,
      double... values) {
    for (int i = 0; i < values.length; i++) {
      results.add(new RunResult(Path.of(run + i + ".json"), "evaluate", "t", run, "vit", "c", "clip", i + 1, protocol,
          metric.equals("mIoU") ? "segmentation" : "depth", "linear", fraction, 1000L, Map.of(metric, values[i]), Map.of(),
          List.of(), null, testError == null ? Map.of() : Map.of(metric, testError), "", null, false));
    }
  }

  private ClaimCheck.Claim claim(String id) {
    return ClaimCheck.evaluate(new ExperimentResults(results), ResultFixture.defaults()).stream()
        .filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  private void claimA(double[] quality, double[] alt, double[] mae, double[] qRmse, double[] altRmse, double[] maeRmse) {
    add("vit-grounded", "frozen", 1.0, "mIoU", quality);
    add("vit-alt-text", "frozen", 1.0, "mIoU", alt);
    add("vit-mae", "frozen", 1.0, "mIoU", mae);
    add("vit-grounded", "frozen", 1.0, "rmse", qRmse);
    add("vit-alt-text", "frozen", 1.0, "rmse", altRmse);
    add("vit-mae", "frozen", 1.0, "rmse", maeRmse);
  }

  @Test
  void claimAHoldsWhenQualityBeatsBothBaselinesBeyondTheCombinedSpread() {
    claimA(new double[] {0.41, 0.42}, new double[] {0.35, 0.36}, new double[] {0.30, 0.31},
        new double[] {1.60, 1.61}, new double[] {1.80, 1.82}, new double[] {1.90, 1.91});
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.HOLDS, a.verdict(), a.evidence().toString());
    assertEquals(4, a.evidence().size());
    // the evidence line carries the numbers: means, spreads, the difference and the detectable difference
    assertTrue(a.evidence().get(0).startsWith("mIoU vit-grounded (frozen @ 100%) 0.4150 ± 0.0071 (n=2) vs vit-alt-text"),
        a.evidence().get(0));
    assertTrue(a.evidence().get(0).contains("better by 0.0600"), a.evidence().get(0));
    // seeds only: 2 x sqrt(0.0071^2 / 2 + 0.0071^2 / 2) = 0.0141
    assertTrue(a.evidence().get(0).contains("detectable difference 0.0141"), a.evidence().get(0));
    assertTrue(a.evidence().get(0).contains("test images not recorded"), a.evidence().get(0));
  }

  @Test
  void claimADoesNotHoldWhenAltTextIsBetterBeyondTheSpread() {
    claimA(new double[] {0.41, 0.42}, new double[] {0.35, 0.36}, new double[] {0.30, 0.31},
        new double[] {1.90, 1.91}, new double[] {1.60, 1.61}, new double[] {1.95, 1.96});
    assertEquals(Verdict.DOES_NOT_HOLD, claim("a").verdict());
  }

  @Test
  void claimAIsNotShownWhenADifferenceIsWithinTheSpread() {
    // mIoU gap 0.01, spreads 0.028 + 0.028
    claimA(new double[] {0.39, 0.43}, new double[] {0.38, 0.42}, new double[] {0.30, 0.31},
        new double[] {1.60, 1.61}, new double[] {1.80, 1.82}, new double[] {1.90, 1.91});
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.NOT_SHOWN, a.verdict());
    assertTrue(a.evidence().get(0).endsWith("within noise"), a.evidence().get(0));
  }

  @Test
  void oneSeedHasNoSpreadSoNothingIsShown() {
    claimA(new double[] {0.9}, new double[] {0.1}, new double[] {0.1}, new double[] {1.0}, new double[] {2.0},
        new double[] {2.0});
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.NOT_SHOWN, a.verdict());
    assertTrue(a.evidence().get(0).contains("fewer than 2 seeds"));
  }

  @Test
  void aMissingRunLeavesTheClaimNotEvaluatedAndNamesTheRun() {
    add("vit-grounded", "frozen", 1.0, "mIoU", 0.4, 0.41);
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.NOT_EVALUATED, a.verdict());
    assertTrue(a.evidence().get(0).contains("no results for vit-alt-text (frozen @ 100%)"), a.evidence().get(0));
  }

  @Test
  void withoutAnMaeRunInTheJobClaimAIsJudgedAgainstAltTextAndSaysSo() {
    add("vit-grounded", "frozen", 1.0, "mIoU", 0.41, 0.42);
    add("vit-alt-text", "frozen", 1.0, "mIoU", 0.35, 0.36);
    add("vit-grounded", "frozen", 1.0, "rmse", 1.60, 1.61);
    add("vit-alt-text", "frozen", 1.0, "rmse", 1.80, 1.82);
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.HOLDS, a.verdict(), a.evidence().toString());
    assertEquals(2, a.evidence().size(), a.evidence().toString());
    assertTrue(a.statement().contains("the MAE baseline (vit-mae) is not in this job"), a.statement());
    // an MAE run that is in the job but lacks the probe's results still leaves the claim not evaluated
    add("vit-mae", "finetune", 1.0, "rmse", 1.9, 1.9);
    assertEquals(Verdict.NOT_EVALUATED, claim("a").verdict());
  }

  @Test
  void claimBHoldsWhenTheMobileEncoderIsWithinToleranceEvenWithTheSpread() {
    add("mci-grounded", "frozen", 1.0, "mIoU", 0.400, 0.402);
    add("vit-large-grounded", "frozen", 1.0, "mIoU", 0.410, 0.412);
    add("mci-grounded", "frozen", 1.0, "rmse", 1.62, 1.63);
    add("vit-large-grounded", "frozen", 1.0, "rmse", 1.60, 1.61);
    assertEquals(Verdict.HOLDS, claim("b").verdict(), claim("b").evidence().toString());
  }

  @Test
  void claimBDoesNotHoldWhenTheMobileEncoderIsFarBehind() {
    add("mci-grounded", "frozen", 1.0, "mIoU", 0.20, 0.21);
    add("vit-large-grounded", "frozen", 1.0, "mIoU", 0.41, 0.42);
    add("mci-grounded", "frozen", 1.0, "rmse", 1.62, 1.63);
    add("vit-large-grounded", "frozen", 1.0, "rmse", 1.60, 1.61);
    assertEquals(Verdict.DOES_NOT_HOLD, claim("b").verdict());
  }

  @Test
  void claimCHoldsWhenTenPercentFinetuningBeatsAltTextOnAll() {
    add("vit-grounded", "finetune", 0.1, "mIoU", 0.45, 0.46);
    add("vit-alt-text", "finetune", 1.0, "mIoU", 0.40, 0.41);
    add("vit-grounded", "finetune", 0.1, "rmse", 1.50, 1.51);
    add("vit-alt-text", "finetune", 1.0, "rmse", 1.70, 1.71);
    // the alt-text encoder's own 10% result must not be what claim c compares
    add("vit-alt-text", "finetune", 0.1, "mIoU", 0.90, 0.91);
    assertEquals(Verdict.HOLDS, claim("c").verdict(), claim("c").evidence().toString());
  }

  @Test
  void claimCIsNotShownWhenTheDifferenceIsWithinTheSpread() {
    add("vit-grounded", "finetune", 0.1, "mIoU", 0.40, 0.44);
    add("vit-alt-text", "finetune", 1.0, "mIoU", 0.41, 0.43);
    add("vit-grounded", "finetune", 0.1, "rmse", 1.50, 1.51);
    add("vit-alt-text", "finetune", 1.0, "rmse", 1.70, 1.71);
    ClaimCheck.Claim c = claim("c");
    assertEquals(Verdict.NOT_SHOWN, c.verdict());
    assertTrue(c.evidence().get(c.evidence().size() - 1).contains("consistent with 'matches'"));
  }

  @Test
  void testResamplingNoiseHidesADifferenceTheSeedSpreadAloneWouldShow() {
    // mIoU 0.415 vs 0.395, seed spread 0.0071 each: seeds alone can detect 0.0141 < 0.02
    claimA(new double[] {0.41, 0.42}, new double[] {0.39, 0.40}, new double[] {0.30, 0.31},
        new double[] {1.60, 1.61}, new double[] {1.80, 1.82}, new double[] {1.90, 1.91});
    assertEquals(Verdict.HOLDS, claim("a").verdict(), claim("a").evidence().toString());

    results.clear();
    // the same means and seeds, each evaluation with a test-resampling standard error of 0.01:
    // 2 x sqrt(0.0071^2 / 2 + 0.0071^2 / 2 + 0.01^2 + 0.01^2) = 0.0316 > 0.02
    addWithTestError("vit-grounded", "frozen", 1.0, "mIoU", 0.01, 0.41, 0.42);
    addWithTestError("vit-alt-text", "frozen", 1.0, "mIoU", 0.01, 0.39, 0.40);
    addWithTestError("vit-mae", "frozen", 1.0, "mIoU", 0.01, 0.30, 0.31);
    add("vit-grounded", "frozen", 1.0, "rmse", 1.60, 1.61);
    add("vit-alt-text", "frozen", 1.0, "rmse", 1.80, 1.82);
    add("vit-mae", "frozen", 1.0, "rmse", 1.90, 1.91);
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.NOT_SHOWN, a.verdict(), a.evidence().toString());
    assertTrue(a.evidence().get(0).contains("detectable difference 0.0316"), a.evidence().get(0));
    assertTrue(a.evidence().get(0).contains("test images 0.0141"), a.evidence().get(0));
    assertTrue(a.evidence().get(0).endsWith("within noise"), a.evidence().get(0));
  }

  @Test
  void eachClaimStatesTheLargestDetectableDifferencePerMetric() {
    addWithTestError("vit-grounded", "frozen", 1.0, "mIoU", 0.01, 0.41, 0.42);
    addWithTestError("vit-alt-text", "frozen", 1.0, "mIoU", 0.01, 0.39, 0.40);
    // MAE's seeds disagree more: its comparison is the one that limits the claim on mIoU
    addWithTestError("vit-mae", "frozen", 1.0, "mIoU", 0.01, 0.28, 0.32);
    add("vit-grounded", "frozen", 1.0, "rmse", 1.60, 1.61);
    add("vit-alt-text", "frozen", 1.0, "rmse", 1.80, 1.82);
    add("vit-mae", "frozen", 1.0, "rmse", 1.90, 1.91);
    // mIoU: 2 x sqrt(0.0071^2 / 2 + 0.0283^2 / 2 + 2 x 0.01^2) = 0.0500; rmse vs alt-text:
    // 2 x sqrt(0.0071^2 / 2 + 0.0141^2 / 2) = 0.0224 (MAE's 0.0141 is smaller)
    assertEquals("smallest difference this run could detect: mIoU 0.0500, rmse 0.0224", claim("a").resolution());
  }

  @Test
  void withOneSeedTheTestResamplingPartIsALowerBoundOnWhatCouldBeDetected() {
    addWithTestError("vit-grounded", "frozen", 1.0, "mIoU", 0.015, 0.41);
    addWithTestError("vit-alt-text", "frozen", 1.0, "mIoU", 0.02, 0.39);
    addWithTestError("vit-mae", "frozen", 1.0, "mIoU", 0.01, 0.30);
    ClaimCheck.Claim a = claim("a");
    assertEquals(Verdict.NOT_EVALUATED, a.verdict()); // no rmse results at all
    // 2 x sqrt(0.015^2 + 0.02^2) = 0.05
    assertTrue(a.evidence().get(0).contains("test resampling alone puts the detectable difference at 0.0500 or more"),
        a.evidence().get(0));
    assertTrue(a.resolution().startsWith("smallest difference this run could detect: mIoU at least 0.0500"),
        a.resolution());
  }
}
