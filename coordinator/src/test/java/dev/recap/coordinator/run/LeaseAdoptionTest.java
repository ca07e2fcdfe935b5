package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.recap.bus.Addresses;
import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.HeldLease;
import dev.recap.bus.msg.TaskLease;
import dev.recap.bus.msg.TaskRequest;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.coordinator.plan.StagePlanners;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator restarted from its journal while a worker still runs a task leased by the
 * previous one: the task is adopted from that worker's heartbeat, and not leased a second time
 * to another worker that happens to ask for work first (which would run it twice and revoke the
 * running attempt; for a gang slot it breaks the gang).
 */
class LeaseAdoptionTest {

  @Test
  void aRunningLeaseIsAdoptedEvenIfAnotherWorkerAsksFirst(@TempDir Path dir) throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    Coordinator first = null;
    Coordinator second = null;
    try {
      RecapCluster workers = members.get(1);
      first = Coordinator.start(members.get(0), StagePlanners.fromClassPath(), Coordinator.Options.defaults(dir));
      first.submit("name: adopt\nstages:\n  - name: s\n    kind: smoke\n    tasks: 2\n", "test");
      TaskLease held = request(workers, "worker-a");
      first.close(); // the coordinator dies with worker-a running its lease

      second = Coordinator.start(members.get(0), StagePlanners.fromClassPath(), Coordinator.Options.defaults(dir));
      CompletableFuture<TaskLease> other = CompletableFuture.supplyAsync(() -> request(workers, "worker-b"));
      Thread.sleep(300); // worker-b's request is in before worker-a's heartbeat
      Heartbeat hb = new Heartbeat("worker-a", System.currentTimeMillis(),
          List.of(new HeldLease(held.getTaskId(), held.getAttempt())), List.of(), List.of());
      HeartbeatAck ack = workers.vertx().eventBus().<HeartbeatAck>request(Addresses.HEARTBEAT, hb)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
      assertEquals(List.of(), ack.getRevokedTaskIds(), "worker-a's running lease was adopted, not revoked");
      TaskLease b = other.get(30, TimeUnit.SECONDS);
      assertNotEquals(held.getTaskId(), b.getTaskId(), "worker-b got the other task, not worker-a's running one");
    } finally {
      if (second != null) {
        second.close();
      }
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
    }
  }

  /** Asks for a task as a worker with the smoke handler, until one is leased. */
  private static TaskLease request(RecapCluster member, String workerId) {
    WorkerHello hello = WorkerHello.newBuilder().setWorkerId(workerId).setNodeId(member.nodeId()).setHost("localhost")
        .setDevice("cpu").setCores(1).setMemoryBytes(1L << 30).setSlots(1).setPlugins(List.of())
        .setTaskTypes(List.of("smoke")).build();
    Exception lastAnswer = null;
    for (int i = 0; i < 10; i++) {
      try {
        Message<TaskLease> m = member.vertx().eventBus().<TaskLease>request(Addresses.TASK_REQUEST, new TaskRequest(hello, 0L),
            new DeliveryOptions().setSendTimeout(20_000)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (m.body() != null) {
          return m.body();
        }
      } catch (ExecutionException | TimeoutException e) {
        // no lease within the long poll ("no task", or no answer yet): ask again
        lastAnswer = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(workerId + " was interrupted while asking for a lease", e);
      }
    }
    throw new AssertionError(workerId + " was leased nothing; last answer: " + lastAnswer, lastAnswer);
  }
}
