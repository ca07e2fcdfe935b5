package dev.recap.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.HeldLease;
import dev.recap.bus.msg.TaskLease;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import io.vertx.core.eventbus.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecapClusterTest {

  @Test
  void twoEmbeddedMembersExchangeAvroRecordsAndSeeALeave() throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    RecapCluster a = members.get(0);
    RecapCluster b = members.get(1);
    try {
      assertEquals(2, a.memberIds().size());
      assertTrue(a.memberIds().contains(b.nodeId()));
      a.vertx().eventBus().<Heartbeat>consumer("test.hb", m -> m.reply(
          HeartbeatAck.newBuilder().setRevokedTaskIds(List.of(m.body().getWorkerId())).build()))
          .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Heartbeat hb = new Heartbeat("w-b", 1L, List.of(new HeldLease("t1", 1)), List.of(), List.of());
      Message<HeartbeatAck> reply = null;
      for (int i = 0; i < 50 && reply == null; i++) { // the registration reaches b asynchronously
        try {
          reply = b.vertx().eventBus().<HeartbeatAck>request("test.hb", hb)
              .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          Thread.sleep(100);
        }
      }
      assertEquals(List.of("w-b"), reply.body().getRevokedTaskIds());

      // a sender publishes the schemas it writes with; a member that never saw a writer schema
      // (here: version 1 of TaskLease, published as an older node would) resolves it from the cluster
      assertTrue(a.hazelcast().getMap(RecapCluster.SCHEMA_MAP)
          .containsKey(SingleObjectFormat.fingerprint(Heartbeat.getClassSchema())));
      Schema v1;
      try (var in = getClass().getResourceAsStream("/avro-v1/TaskLease.avsc")) {
        v1 = new Schema.Parser().parse(in);
      }
      a.hazelcast().<Long, String>getMap(RecapCluster.SCHEMA_MAP).put(SingleObjectFormat.fingerprint(v1), v1.toString());
      GenericRecord old = new GenericData.Record(v1);
      for (String f : List.of("taskId", "jobId", "stage", "taskType", "payloadSchema", "retiredField")) {
        old.put(f, "v1-" + f);
      }
      old.put("attempt", 3);
      old.put("leaseDeadlineMillis", 5L);
      old.put("payload", java.nio.ByteBuffer.wrap(new byte[0]));
      var bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
      TaskLease read = b.codec().format().decode(bytes, TaskLease.class);
      assertEquals("v1-taskId", read.getTaskId());
      assertEquals(3, read.getAttempt());

      CompletableFuture<String> left = new CompletableFuture<>();
      a.onMemberLeft(left::complete);
      String bId = b.nodeId();
      b.close();
      assertEquals(bId, left.get(30, TimeUnit.SECONDS));
    } finally {
      members.forEach(RecapCluster::close);
    }
  }

  @Test
  void closingTheWholeEmbeddedClusterStopsEveryMemberWithoutMovingAPartition() throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(3, ClusterOptions.isolated());
    AtomicInteger migrations = new AtomicInteger();
    try {
      IMap<String, String> spread = members.get(0).hazelcast().getMap("test.spread");
      for (int i = 0; i < 200; i++) {
        spread.put("key-" + i, "value"); // owners and backups on every member
      }
      members.get(0).hazelcast().getPartitionService().addMigrationListener(new MigrationListener() {
        @Override
        public void migrationStarted(MigrationState state) {
          migrations.incrementAndGet();
        }

        @Override
        public void migrationFinished(MigrationState state) {}

        @Override
        public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

        @Override
        public void replicaMigrationFailed(ReplicaMigrationEvent event) {}
      });
    } catch (RuntimeException e) {
      RecapCluster.closeAll(members);
      throw e;
    }

    RecapCluster.closeAll(members);

    for (RecapCluster member : members) {
      assertFalse(member.hazelcast().getLifecycleService().isRunning());
    }
    assertEquals(0, migrations.get(), "partitions were moved between members that were all shutting down");
  }
}
