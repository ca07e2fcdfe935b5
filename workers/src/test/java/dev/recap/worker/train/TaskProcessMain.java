package dev.recap.worker.train;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.recap.api.Extensions;
import dev.recap.bus.task.PretrainGangTask;
import dev.recap.bus.task.PretrainTask;
import dev.recap.worker.exchange.LoopbackCluster;
import dev.recap.worker.node.ArtifactStore;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A worker JVM that runs one attempt of one task through its real handler, as a worker node
 * would, for the tests that SIGKILL it: {@code pretrain} ({@link PretrainHandler}) or
 * {@code gang} ({@link PretrainGangHandler}, on a member of the test's loopback cluster).
 * Metrics go to a file shared by every attempt of the test ({@code name,step,value} lines),
 * events and progress to stdout. Each loss metric waits {@code stepDelayMillis}, so the test can
 * kill the attempt at a step of its choosing.
 *
 * <p>Arguments: kind artifactRoot jobId taskId payloadFile metricsFile stepDelayMillis
 * [clusterName basePort].
 */
public final class TaskProcessMain {

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    Path root = Path.of(args[1]);
    String jobId = args[2];
    String taskId = args[3];
    ByteBuffer payload = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[4])));
    Path metrics = Path.of(args[5]);
    long delay = Long.parseLong(args[6]);
    HazelcastInstance hz = args.length > 8
        ? Hazelcast.newHazelcastInstance(LoopbackCluster.config(args[7], Integer.parseInt(args[8]))) : null;
    try (PrintWriter metricLines = new PrintWriter(Files.newBufferedWriter(metrics,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
      ArtifactStore store = new FileArtifactStore(root, jobId, taskId);
      if (kind.equals("pretrain")) {
        run(new PretrainHandler(), new Context<>(PretrainTask.fromByteBuffer(payload), jobId, taskId, "pretrain", store,
            hz, metricLines, delay));
      } else {
        run(new PretrainGangHandler(), new Context<>(PretrainGangTask.fromByteBuffer(payload), jobId, taskId, "gang",
            store, hz, metricLines, delay));
      }
      System.out.println("task " + taskId + " done");
    } finally {
      if (hz != null) {
        hz.shutdown();
      }
    }
  }

  private static <P extends org.apache.avro.specific.SpecificRecord> void run(TaskHandler<P> handler, TaskContext<P> context) throws Exception {
    handler.execute(context);
  }

  private record Context<P>(P payload, String jobId, String taskId, String stage, ArtifactStore artifacts,
      HazelcastInstance hz, PrintWriter metricLines, long delay) implements TaskContext<P> {

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public long seed() {
      return 1;
    }

    @Override
    public String workerId() {
      return "w-" + ProcessHandle.current().pid();
    }

    @Override
    public void progress(double fraction, String message) {
      System.out.println("progress " + message);
    }

    @Override
    public void metric(String name, double value, Map<String, String> tags) {
      metricLines.println(name + "," + tags.getOrDefault("step", "") + "," + value);
      if (name.equals("loss") && delay > 0) {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void event(String message) {
      System.out.println("event " + message);
    }

    @Override
    public Extensions extensions() {
      return Extensions.of(new ConvImageEncoderFixture(), new BagTextEncoderFixture());
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public HazelcastInstance hazelcast() {
      if (hz == null) {
        throw new UnsupportedOperationException("started without a cluster");
      }
      return hz;
    }
  }
}
