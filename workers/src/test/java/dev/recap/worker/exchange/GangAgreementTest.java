package dev.recap.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GangAgreementTest {

  private static LoopbackCluster cluster;

  @BeforeAll
  static void startThreeMembers() {
    cluster = new LoopbackCluster().start(3);
  }

  @AfterAll
  static void stopMembers() {
    cluster.close();
  }

  @Test
  void checksumSeesEveryBitOfEveryParameter() {
    float[] params = {1f, 2f, 3f};
    long base = ParameterChecksum.of(params);
    float[] nudged = params.clone();
    nudged[2] = Math.nextUp(nudged[2]);
    assertNotEquals(base, ParameterChecksum.of(nudged));
    assertNotEquals(base, ParameterChecksum.of(new float[] {2f, 1f, 3f}), "order matters");
    assertEquals(base, new ParameterChecksum().add(params).value());
    for (long v : new long[] {0, -1, Long.MIN_VALUE, base}) {
      assertEquals(v, ParameterChecksum.decode(ParameterChecksum.encode(v)));
    }
  }

  @Test
  void replicasWithDifferentParametersAreNamedOnEveryRank() throws Exception {
    List<String> outcomes = Gangs.onEveryRank(cluster.members, "gang-checksum",
        ExchangeOptions.defaults(), c -> {
          ParameterChecksum.verifyAcross(c, "checksum/step-10",
              ParameterChecksum.of(new float[] {1f, 2f}));
          float[] params = {1f, c.rank() == 2 ? 2.5f : 2f};
          ReplicaDivergenceException e = assertThrows(ReplicaDivergenceException.class,
              () -> ParameterChecksum.verifyAcross(c, "checksum/step-20", ParameterChecksum.of(params)),
              "rank " + c.rank() + " must see the divergence");
          // the checksums arrive intact: each group is keyed by the checksum its ranks sent
          assertEquals(Map.of(ParameterChecksum.of(new float[] {1f, 2f}), List.of(0, 1),
                  ParameterChecksum.of(new float[] {1f, 2.5f}), List.of(2)),
              e.ranksByChecksum(), "rank " + c.rank());
          return e.getMessage();
        });
    for (String message : outcomes) {
      assertTrue(message.contains("checksum/step-20") && message.contains("[2]")
          && message.contains("[0, 1]"), message);
    }
  }

  @Test
  void aStepIsSkippedByAllWhenAnyRankVotesNo() throws Exception {
    List<StepVote[]> votes = Gangs.onEveryRank(cluster.members, "gang-vote",
        ExchangeOptions.defaults(), c -> new StepVote[] {
            StepVote.cast(c, "finite/step-1", true),
            StepVote.cast(c, "finite/step-2", c.rank() != 1)});
    for (StepVote[] v : votes) {
      assertTrue(v[0].unanimous());
      assertFalse(v[1].unanimous());
      assertArrayEquals(new int[] {1}, v[1].dissentingRanks());
    }
  }

  @Test
  void aWorldOfOneAgreesWithItself() {
    assertTrue(StepVote.cast(Collective.single(), "v", true).unanimous());
    assertDoesNotThrow(() -> ParameterChecksum.verifyAcross(Collective.single(), "c", 42L));
  }
}
