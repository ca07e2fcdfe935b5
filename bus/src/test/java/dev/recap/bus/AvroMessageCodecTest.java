package dev.recap.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.msg.PluginInfo;
import dev.recap.bus.msg.TaskFailure;
import dev.recap.bus.msg.TaskLease;
import dev.recap.bus.msg.TaskResult;
import dev.recap.bus.msg.TaskSuccess;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.bus.task.SmokeTask;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroMessageCodecTest {

  private final AvroMessageCodec codec = new AvroMessageCodec(new SingleObjectFormat());

  @Test
  void everyMessageSurvivesTheWire() {
    WorkerHello hello = WorkerHello.newBuilder().setWorkerId("w1").setNodeId("n1").setHost("127.0.0.1")
        .setDevice("cpu").setCores(2).setMemoryBytes(1L << 30).setSlots(2)
        .setPlugins(List.of(new PluginInfo("vit", "0.1.0", "ImageEncoder", "vit-plugin", "0.1.0", "")))
        .setTaskTypes(List.of("smoke")).build();
    TaskResult failed = TaskResult.newBuilder().setTaskId("t1").setJobId("j1").setAttempt(2).setWorkerId("w1")
        .setDurationMillis(12).setOutcome(new TaskFailure("java.io.IOException", "disk full", "", true)).build();
    for (SpecificRecord record : List.<SpecificRecord>of(hello, failed, lease(new SmokeTask(3, 10L, true, 0, false, "smoke", 0)))) {
      Buffer wire = Buffer.buffer();
      wire.appendString("prefix");
      codec.encodeToWire(wire, record);
      assertEquals(record, codec.decodeFromWire(6, wire));
    }
    assertInstanceOf(TaskFailure.class, ((TaskResult) roundTrip(failed)).getOutcome());
  }

  @Test
  void payloadRoundTripsThroughTheLease() {
    SingleObjectFormat format = new SingleObjectFormat();
    TaskLease lease = (TaskLease) roundTrip(lease(new SmokeTask(7, 0L, false, 1, false, "smoke", 0)));
    SmokeTask payload = (SmokeTask) format.decode(lease.getPayload(), lease.getPayloadSchema());
    assertEquals(7, payload.getIndex());
    assertEquals(1, payload.getFailAttempts());
  }

  @Test
  void aLeaseWrittenByVersionOneIsReadByTheCurrentSchema() throws Exception {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/avro-v1/TaskLease.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(v1);
    old.put("taskId", "t9");
    old.put("jobId", "j1");
    old.put("stage", "make");
    old.put("attempt", 1);
    old.put("leaseDeadlineMillis", 1234L);
    old.put("taskType", "smoke");
    old.put("payloadSchema", SmokeTask.class.getName());
    old.put("payload", ByteBuffer.wrap(new byte[] {1, 2}));
    old.put("retiredField", "x");
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

    SingleObjectFormat format = new SingleObjectFormat();
    // without the writer schema the reader cannot resolve: the error must say so, not garble data
    assertThrows(RuntimeException.class, () -> format.decode(bytes, TaskLease.class));

    format.addSchema(v1);
    TaskLease current = format.decode(bytes, TaskLease.class);
    assertEquals("t9", current.getTaskId());
    assertEquals(1234L, current.getLeaseDeadlineMillis());
    assertEquals(0L, current.getSeed(), "added field takes its default");
    assertEquals(10000L, current.getLeaseMillis());
    assertNull(current.getOutputRoot());

    // the same bytes arriving over the event bus
    Buffer wire = Buffer.buffer();
    byte[] name = TaskLease.class.getName().getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[bytes.remaining()];
    bytes.duplicate().get(body);
    wire.appendInt(name.length).appendBytes(name).appendInt(body.length).appendBytes(body);
    AvroMessageCodec evolved = new AvroMessageCodec(format);
    assertEquals("t9", ((TaskLease) evolved.decodeFromWire(0, wire)).getTaskId());
  }

  @Test
  void aResultWrittenByVersionOneIsReadWithNoDeclaredOutputs() throws Exception {
    Schema v1 = v1Schema("/avro-v1/TaskResult.avsc");
    Schema successV1 = v1.getField("outcome").schema().getTypes().get(0);
    GenericRecord success = new GenericData.Record(successV1);
    success.put("outputs", List.of("/art/j1/t1/shard.json"));
    GenericRecord old = new GenericData.Record(v1);
    old.put("taskId", "t1");
    old.put("jobId", "j1");
    old.put("attempt", 1);
    old.put("workerId", "w-old");
    old.put("durationMillis", 5L);
    old.put("outcome", success);
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

    SingleObjectFormat format = new SingleObjectFormat();
    format.addSchema(v1);
    TaskSuccess read = (TaskSuccess) format.decode(bytes, TaskResult.class).getOutcome();
    assertEquals(List.of("/art/j1/t1/shard.json"), read.getOutputs());
    assertEquals(List.of(), read.getDeclared(), "an old worker declares nothing: planners then name the missing kind");
    assertNull(read.getResultJson());
  }

  @Test
  void aResultWithDeclaredOutputsIsReadByVersionOneAsPaths() throws Exception {
    Schema v1 = v1Schema("/avro-v1/TaskResult.avsc");
    DeclaredOutput shard = new DeclaredOutput("/art/j1/t1/shard.tar", OutputKind.PAIRS_SHARD.wireName(), 1024L, "ab".repeat(32));
    TaskResult current = TaskResult.newBuilder().setTaskId("t1").setJobId("j1").setAttempt(1).setWorkerId("w1")
        .setDurationMillis(5).setOutcome(new TaskSuccess(List.of(shard.getPath()), List.of(shard), "{\"run\":\"r\"}")).build();
    assertEquals(current, roundTrip(current));
    ByteBuffer bytes = new SingleObjectFormat().encode(current);
    GenericRecord asOld = new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1,
        fingerprint -> fingerprint == SingleObjectFormat.fingerprint(TaskResult.getClassSchema()) ? TaskResult.getClassSchema() : null)
        .decode(bytes);
    assertEquals("[/art/j1/t1/shard.tar]", ((GenericRecord) asOld.get("outcome")).get("outputs").toString());
  }

  @Test
  void anUnknownOutputKindIsNamedWithTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputKind.ofWireName("hologram"));
    assertTrue(e.getMessage().contains("'hologram'") && e.getMessage().contains("pairs-shard"), e.getMessage());
    for (OutputKind k : OutputKind.values()) {
      assertEquals(k, OutputKind.ofWireName(k.wireName()));
    }
  }

  private Schema v1Schema(String resource) throws Exception {
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      return new Schema.Parser().parse(in);
    }
  }

  @Test
  void unknownClassNameIsNamedInTheError() {
    Buffer wire = Buffer.buffer();
    byte[] name = "dev.recap.bus.msg.Nope".getBytes(StandardCharsets.UTF_8);
    wire.appendInt(name.length).appendBytes(name).appendInt(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decodeFromWire(0, wire));
    assertEquals(true, e.getMessage().contains("dev.recap.bus.msg.Nope"));
  }

  private SpecificRecord roundTrip(SpecificRecord record) {
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, record);
    return codec.decodeFromWire(0, wire);
  }

  static TaskLease lease(SmokeTask payload) {
    return TaskLease.newBuilder().setTaskId("j1/make/3").setJobId("j1").setStage("make").setAttempt(1)
        .setLeaseDeadlineMillis(99L).setTaskType("smoke").setPayloadSchema(SmokeTask.class.getName())
        .setPayload(new SingleObjectFormat().encode(payload)).setSeed(42L).setOutputRoot(null).build();
  }
}
