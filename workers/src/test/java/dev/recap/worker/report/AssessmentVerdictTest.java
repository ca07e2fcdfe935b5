package dev.recap.worker.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Assessment's verdict from given per-seed differences: the t-interval and the words. */
class AssessmentVerdictTest {

  @Test
  void anIntervalAboveZeroOnAHigherIsBetterMetricHelps() {
    // mean 0.02, sample std 0.01, n 3: half-width 4.303 x 0.01 / sqrt 3 = 0.0248... wider than the mean: no difference
    AssessmentVerdict.Line wide = AssessmentVerdict.of("segmentation", "mIoU", true, List.of(0.01, 0.02, 0.03));
    assertEquals(AssessmentVerdict.Kind.NO_DIFFERENCE, wide.kind());
    assertEquals(0.0248, wide.halfWidth(), 1e-4);
    assertEquals("no difference detectable on segmentation at this proxy size (recaptioned − original +0.0200 mIoU, 95% CI"
        + " -0.0048..0.0448, n = 3 seeds); the smallest effect this run could detect is 0.0248 mIoU", wide.text());
    // the same spread around a larger mean: 0.05 ± 0.0248 excludes zero
    AssessmentVerdict.Line helps = AssessmentVerdict.of("segmentation", "mIoU", true, List.of(0.04, 0.05, 0.06));
    assertEquals(AssessmentVerdict.Kind.HELPS, helps.kind());
    assertEquals("recaptioning helps segmentation by 0.0500 mIoU (95% CI 0.0252..0.0748, n = 3 seeds)", helps.text());
  }

  @Test
  void anIntervalBelowZeroHurtsAndLowerIsBetterMetricsFlip() {
    AssessmentVerdict.Line hurts = AssessmentVerdict.of("retrieval", "R@1", true, List.of(-0.30, -0.25, -0.35, -0.30));
    assertEquals(AssessmentVerdict.Kind.HURTS, hurts.kind());
    // std 0.0408, t(3) = 3.182: half-width 0.0650
    assertEquals("recaptioning hurts retrieval by 0.3000 R@1 (95% CI -0.3650..-0.2350, n = 4 seeds)", hurts.text());
    // RMSE: lower is better, so a negative difference helps
    AssessmentVerdict.Line depth = AssessmentVerdict.of("depth", "RMSE", false, List.of(-0.5, -0.55, -0.6));
    assertEquals(AssessmentVerdict.Kind.HELPS, depth.kind(), depth.text());
    AssessmentVerdict.Line worse = AssessmentVerdict.of("depth", "RMSE", false, List.of(0.5, 0.55, 0.6));
    assertEquals(AssessmentVerdict.Kind.HURTS, worse.kind(), worse.text());
  }

  @Test
  void identicalRunsShowNoDifferenceAndOneSeedGivesNoInterval() {
    AssessmentVerdict.Line same = AssessmentVerdict.of("retrieval", "R@1", true, List.of(0.0, 0.0, 0.0));
    assertEquals(AssessmentVerdict.Kind.NO_DIFFERENCE, same.kind());
    assertEquals(0.0, same.halfWidth());
    AssessmentVerdict.Line one = AssessmentVerdict.of("segmentation", "mIoU", true, List.of(0.1));
    assertEquals(AssessmentVerdict.Kind.ONE_SEED, one.kind());
    assertEquals(1, one.n());
    assertEquals("one seed only: recaptioned − original is +0.1000 mIoU on segmentation, but one seed gives no confidence"
        + " interval; a larger budget (more seeds) would", one.text());
    assertThrows(IllegalArgumentException.class, () -> AssessmentVerdict.of("x", "y", true, List.of()));
  }

  @Test
  void projectedCostsReadInWorkerMinutesOrHours() {
    assertEquals("1 worker-minutes", Assessment.workerTime(2));
    assertEquals("12 worker-minutes", Assessment.workerTime(700));
    assertEquals("3.4 worker-hours", Assessment.workerTime(3.4 * 3600));
    assertEquals("1,250 worker-hours", Assessment.workerTime(1250 * 3600));
  }

  @Test
  void tQuantilesFollowTheTable() {
    assertEquals(12.706, AssessmentVerdict.t975(1));
    assertEquals(2.042, AssessmentVerdict.t975(30));
    assertEquals(1.96, AssessmentVerdict.t975(200));
  }
}
