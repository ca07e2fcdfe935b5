package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.Addresses;
import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.SingleObjectFormat;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.TaskFailure;
import dev.recap.bus.msg.TaskLease;
import dev.recap.bus.msg.TaskRequest;
import dev.recap.bus.msg.TaskResult;
import dev.recap.bus.msg.TaskSuccess;
import dev.recap.bus.task.SmokeTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker node on a real one-member cluster, with the test playing the coordinator's part. */
class WorkerNodeTest {

  @Test
  void aFailingTaskReportsItsCauseAndTheWorkerKeepsWorking(@TempDir Path artifacts) throws Exception {
    SingleObjectFormat format = new SingleObjectFormat();
    Deque<TaskLease> leases = new ArrayDeque<>(List.of(
        lease("t-fail", 1, "smoke", format.encode(new SmokeTask(0, 0L, true, 1, false, "smoke", 0))),
        lease("t-unknown", 1, "no-such-type", format.encode(new SmokeTask(1, 0L, true, 0, false, "smoke", 0))),
        lease("t-ok", 2, "smoke", format.encode(new SmokeTask(2, 0L, true, 1, false, "smoke", 0)))));
    BlockingQueue<TaskResult> results = new LinkedBlockingQueue<>();
    BlockingQueue<Heartbeat> heartbeats = new LinkedBlockingQueue<>();
    try (RecapCluster cluster = RecapCluster.start(ClusterOptions.isolated())) {
      var bus = cluster.vertx().eventBus();
      bus.<TaskRequest>consumer(Addresses.TASK_REQUEST, m -> {
        TaskLease next = leases.poll();
        if (next == null) {
          cluster.vertx().setTimer(200, id -> m.fail(Addresses.NO_TASK, "no task"));
        } else {
          m.reply(next);
        }
      });
      bus.<TaskResult>consumer(Addresses.TASK_RESULT, m -> {
        results.add(m.body());
        m.reply(null);
      });
      bus.<Heartbeat>consumer(Addresses.HEARTBEAT, m -> {
        heartbeats.add(m.body());
        m.reply(new HeartbeatAck(List.of(), true));
      });
      WorkerNode node = WorkerNode.start(cluster, WorkerPlugins.none(), TaskHandlers.fromClassPath(),
          WorkerNode.Options.defaults("w-test", artifacts));
      try {
        TaskResult first = results.poll(30, TimeUnit.SECONDS);
        TaskFailure cause = assertInstanceOf(TaskFailure.class, first.getOutcome());
        assertEquals("java.lang.IllegalStateException", cause.getErrorType());
        assertTrue(cause.getMessage().contains("on purpose"), cause.getMessage());
        assertTrue(cause.getRetryable());

        TaskFailure unknown = assertInstanceOf(TaskFailure.class, results.poll(30, TimeUnit.SECONDS).getOutcome());
        assertTrue(unknown.getMessage().contains("no-such-type") && unknown.getMessage().contains("smoke"), unknown.getMessage());

        TaskResult ok = results.poll(30, TimeUnit.SECONDS);
        assertEquals("t-ok", ok.getTaskId());
        TaskSuccess success = assertInstanceOf(TaskSuccess.class, ok.getOutcome());
        Path out = Path.of(success.getDeclared().get(0).getPath());
        assertEquals(FileArtifactStore.taskDirectory(artifacts, "job-1", "t-ok").resolve("out-2.txt"), out);
        assertEquals("log", success.getDeclared().get(0).getKind());
        assertEquals(Files.size(out), success.getDeclared().get(0).getSizeBytes());
        assertEquals(List.of(out.toString()), success.getOutputs());
        assertTrue(Files.readString(out).startsWith("t-ok index=2 seed=7"));
        assertEquals("w-test", heartbeats.poll(10, TimeUnit.SECONDS).getWorkerId());
      } finally {
        node.close();
      }
    }
  }

  static TaskLease lease(String taskId, int attempt, String type, java.nio.ByteBuffer payload) {
    return TaskLease.newBuilder().setTaskId(taskId).setJobId("job-1").setStage("make").setAttempt(attempt)
        .setLeaseDeadlineMillis(System.currentTimeMillis() + 10_000).setTaskType(type)
        .setPayloadSchema(SmokeTask.class.getName()).setPayload(payload).setSeed(7L).setOutputRoot(null).build();
  }
}
