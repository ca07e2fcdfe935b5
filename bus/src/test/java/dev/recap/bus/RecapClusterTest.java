package dev.recap.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.HeldLease;
import io.vertx.core.eventbus.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
      Heartbeat hb = new Heartbeat("w-b", 1L, List.of(new HeldLease("t1", 1)));
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

      CompletableFuture<String> left = new CompletableFuture<>();
      a.onMemberLeft(left::complete);
      String bId = b.nodeId();
      b.close();
      assertEquals(bId, left.get(30, TimeUnit.SECONDS));
    } finally {
      members.forEach(RecapCluster::close);
    }
  }
}
