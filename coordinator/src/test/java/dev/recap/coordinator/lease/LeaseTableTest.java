package dev.recap.coordinator.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseTableTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final LeaseTable table = new LeaseTable(now::get);
  private static final Set<String> SMOKE = Set.of("smoke");

  private static QueuedTask task(String id, Set<String> plugins) {
    return new QueuedTask(id, "job", "smoke", plugins, 0, 10_000);
  }

  @Test
  void expiredLeaseIsHandedBackOnceAndRequeuedWithItsAttemptCount() {
    table.enqueue(task("a", Set.of()));
    Lease first = table.lease("w1", Set.of(), SMOKE);
    assertEquals(1, first.attempt());
    assertEquals(11_000, first.deadlineMillis());

    now.set(11_000);
    assertEquals(List.of(), table.expire(), "not past the deadline yet");
    now.set(11_001);
    List<Lease> expired = table.expire();
    assertEquals(List.of(first), expired);
    assertEquals(List.of(), table.expire(), "handed back once");

    table.requeue(expired.get(0).task());
    Lease second = table.lease("w2", Set.of(), SMOKE);
    assertEquals(2, second.attempt());
    assertEquals("w2", second.workerId());
  }

  @Test
  void heartbeatRenewalPushesTheDeadlineOnlyForTheHolder() {
    table.enqueue(task("a", Set.of()));
    Lease l = table.lease("w1", Set.of(), SMOKE);
    now.addAndGet(9_000);
    assertTrue(table.renew("w1", "a", 1));
    assertFalse(table.renew("w2", "a", 1), "another worker cannot renew");
    assertFalse(table.renew("w1", "a", 2), "a stale attempt cannot renew");
    now.addAndGet(9_000);
    assertEquals(List.of(), table.expire(), "renewed 9 s ago with a 10 s lease");
    assertTrue(l.deadlineMillis() < now.get());
  }

  @Test
  void tasksGoOnlyToWorkersWithTheRequiredPluginsAndHandlers() {
    table.enqueue(task("needs-vit", Set.of("vit")));
    table.enqueue(task("plain", Set.of()));
    assertEquals("plain", table.lease("w1", Set.of(), SMOKE).task().taskId());
    assertNull(table.lease("w1", Set.of(), SMOKE));
    assertNull(table.lease("w2", Set.of("vit"), Set.of("caption")), "no handler for the type");
    assertEquals("needs-vit", table.lease("w2", Set.of("vit", "mci"), SMOKE).task().taskId());
  }

  @Test
  void lostWorkerReleasesOnlyItsLeases() {
    table.enqueue(task("a", Set.of()));
    table.enqueue(task("b", Set.of()));
    table.lease("w1", Set.of(), SMOKE);
    table.lease("w2", Set.of(), SMOKE);
    List<Lease> lost = table.release("w1");
    assertEquals(1, lost.size());
    assertEquals("a", lost.get(0).task().taskId());
    assertTrue(table.isLeased("b"));
  }

  @Test
  void theFirstCompletionWinsEvenAfterARequeue() {
    table.enqueue(task("a", Set.of()));
    table.lease("w1", Set.of(), SMOKE);
    table.requeue(table.release("w1").get(0).task());
    assertEquals(1, table.queued(), "the lost attempt's task waits in the queue");
    assertTrue(table.complete("a"), "a late result of the lost attempt completes the re-queued task");
    assertEquals(0, table.queued(), "the completed task left the queue");
    assertNull(table.lease("w2", Set.of(), SMOKE), "nothing left to run");
    assertFalse(table.complete("a"));
  }

  @Test
  void aLateResultOfTheLostAttemptEndsTheRetryThatIsRunning() {
    table.enqueue(task("a", Set.of()));
    table.lease("w1", Set.of(), SMOKE);
    table.requeue(table.release("w1").get(0).task());
    Lease retry = table.lease("w2", Set.of(), SMOKE);
    assertEquals(2, retry.attempt());
    assertTrue(table.complete("a"), "the lost attempt's late result completes the task");
    assertFalse(table.isLeased("a"), "the retry's lease ends with the task");
    assertFalse(table.renew("w2", "a", 2), "the retry cannot renew a completed task");
    assertFalse(table.complete("a"), "the retry's own result comes second");
  }

  @Test
  void aStaleFailureDoesNotEndTheCurrentAttempt() {
    table.enqueue(task("a", Set.of()));
    table.lease("w1", Set.of(), SMOKE);
    table.requeue(table.release("w1").get(0).task());
    table.lease("w2", Set.of(), SMOKE);
    assertNull(table.fail("a", 1), "attempt 1 is gone");
    assertEquals("w2", table.fail("a", 2).workerId());
  }

  @Test
  void aRestartedCoordinatorAdoptsALeaseAWorkerStillHolds() {
    table.enqueue(task("a", Set.of()));
    assertTrue(table.adopt("w1", "a", 2));
    assertTrue(table.isLeased("a"));
    assertNull(table.lease("w2", Set.of(), SMOKE), "not handed out a second time");
    assertTrue(table.renew("w1", "a", 2));
    assertFalse(table.adopt("w2", "a", 1), "already held");
  }
}
