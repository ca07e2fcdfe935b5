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
    for (int i = 0; i < values.length; i++) {
      results.add(new RunResult(Path.of(run + i + ".json"), "evaluate", "t", run, "vit", "c", "clip", i + 1, protocol,
          metric.equals("mIoU") ? "segmentation" : "depth", "linear", fraction, 1000L, Map.of(metric, values[i]), Map.of(),
          List.of(), null, ""));
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
    // the evidence line carries the numbers: means, spreads, the difference and the combined spread
    assertTrue(a.evidence().get(0).startsWith("mIoU vit-grounded (frozen @ 100%) 0.4150 ± 0.0071 (n=2) vs vit-alt-text"),
        a.evidence().get(0));
    assertTrue(a.evidence().get(0).contains("better by 0.0600"), a.evidence().get(0));
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
    assertTrue(a.evidence().get(0).endsWith("within spread"), a.evidence().get(0));
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
}
