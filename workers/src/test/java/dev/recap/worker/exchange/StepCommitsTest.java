package dev.recap.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.exchange.CommitHead;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(90)
class StepCommitsTest {

  private static final int CHUNK = 1000;

  @Test
  void theLastCommitSurvivesTheLossOfAMemberAndOldCommitsAreDropped() throws Exception {
    try (LoopbackCluster cluster = new LoopbackCluster().start(3)) {
      float[] five = HazelcastCollectiveTest.gradient(0, 5, 4321);
      float[] six = HazelcastCollectiveTest.gradient(0, 6, 4321);
      List<String> outcomes = Gangs.onEveryRank(cluster.members, "gang-c",
          ExchangeOptions.defaults(), c -> {
            StepCommits commits = new StepCommits(cluster.members.get(c.rank()), "run-1");
            commits.commit(c, 5, five, CHUNK);
            CommitHead head = commits.commit(c, 6, six, CHUNK);
            assertEquals(6, head.step());
            // One replica diverges: nothing is committed, every rank is told who.
            float[] mine = c.rank() == 1 ? five : six;
            ReplicaDivergenceException diverged = assertThrows(ReplicaDivergenceException.class,
                () -> commits.commit(c, 7, mine, CHUNK));
            // A stale gang cannot move the head backwards.
            IllegalStateException backwards = assertThrows(IllegalStateException.class,
                () -> commits.commit(c, 4, six, CHUNK));
            return diverged.getMessage() + " | " + backwards.getMessage();
          });
      for (String outcome : outcomes) {
        assertTrue(outcome.contains("[1]") && outcome.contains("already committed step 6"),
            outcome);
      }
      StepCommits commits = new StepCommits(cluster.members.get(0), "run-1");
      CommitHead head = commits.head().orElseThrow();
      assertEquals(6, head.step());
      assertEquals("gang-c", head.gangId());
      assertArrayEquals(six, commits.load(head));

      cluster.members.get(2).getLifecycleService().terminate();
      StepCommits survivor = new StepCommits(cluster.members.get(1), "run-1");
      assertArrayEquals(six, survivor.load(survivor.head().orElseThrow()),
          "the backup copy serves the state after its member died");
      long stepFiveChunks = cluster.members.get(0).getMap("recap.exchange.commits").keySet()
          .stream().filter(k -> k.toString().contains("/step-5/")).count();
      assertEquals(0, stepFiveChunks, "the replaced commit's chunks are removed");
    }
  }
}
