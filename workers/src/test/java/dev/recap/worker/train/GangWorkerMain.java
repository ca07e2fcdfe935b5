package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.AugmentPolicy;
import dev.recap.worker.data.CaptionOverrides;
import dev.recap.worker.data.PairRows;
import dev.recap.worker.data.ShardIndex;
import dev.recap.worker.exchange.ExchangeOptions;
import dev.recap.worker.exchange.Gang;
import dev.recap.worker.exchange.LoopbackCluster;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A worker JVM for {@link GangProcessesTest}: joins the loopback cluster, waits until the test
 * admits it (control map key {@code admit-<name>}), runs a {@link GangMember} on the tiny CLIP,
 * on the WebDataset shards in {@code <outDir>/shards} ({@link ShardPairs}), and writes {@code <name>.loss} (step,loss,worldSize,rank per step), {@code <name>.samples}
 * (committed sample keys) and, at the end, {@code <name>.params} (final flat parameters).
 *
 * <p>Arguments: clusterName basePort name outDir totalSteps stepsPerRange globalBatch (unused)
 * minWorkers maxWorkers checkpointDir stepDelayMillis.
 */
public final class GangWorkerMain {

  static final String CONTROL_MAP = "test.gang.control";
  static final int SIZE = 16;
  static final int SEED = 7;

  public static void main(String[] args) throws Exception {
    String name = args[2];
    Path out = Path.of(args[3]);
    long delay = Long.parseLong(args[11]);
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(LoopbackCluster.config(args[0], Integer.parseInt(args[1])));
    try (NDManager manager = NDManager.newBaseManager();
        PrintWriter loss = new PrintWriter(Files.newBufferedWriter(out.resolve(name + ".loss")), true);
        PrintWriter samples = new PrintWriter(Files.newBufferedWriter(out.resolve(name + ".samples")), true)) {
      hz.getMap(CONTROL_MAP).set("up-" + name, hz.getCluster().getLocalMember().getUuid().toString());
      while (hz.getMap(CONTROL_MAP).get("admit-" + name) == null) {
        Thread.sleep(20);
      }
      long total = Long.parseLong(args[4]);
      GangMember.Settings settings = new GangMember.Settings("run-test", total, Integer.parseInt(args[5]),
          Integer.parseInt(args[8]), Integer.parseInt(args[9]), 3, 4, Path.of(args[10]),
          ExchangeOptions.builder().bucketFloats(16 * 1024).operationTimeout(Duration.ofSeconds(30)).build());
      ClipModel model = model(manager);
      GangMember member = new GangMember(hz, settings, model, manager, options(total),
          shardData(out.resolve("shards"), Integer.parseInt(args[6])), new GangMember.Observer() {
            @Override
            public void formed(Gang gang, long startStep) {
              System.out.println(name + ": rank " + gang.rank() + " of " + gang.id() + " from step " + startStep);
            }

            @Override
            public void stepped(StepResult r, int rank, int worldSize, List<String> keys) {
              loss.println(r.step() + "," + r.loss() + "," + worldSize + "," + rank);
              try {
                Thread.sleep(delay);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }

            @Override
            public void committed(long step, int rank, List<String> keys) {
              keys.forEach(samples::println);
            }

            @Override
            public void event(String message) {
              System.out.println(name + ": " + message);
            }
          });
      long last = member.run();
      System.out.println(name + ": done, last step " + last);
      try (DataOutputStream params = new DataOutputStream(Files.newOutputStream(out.resolve(name + ".params")))) {
        float[] flat = TinyClip.flatParameters(model);
        params.writeInt(flat.length);
        for (float f : flat) {
          params.writeFloat(f);
        }
      }
    } finally {
      hz.shutdown();
    }
  }

  static TextTokenizer tokenizer() {
    return new BagTextEncoderFixture().tokenizer(PluginConfig.of("context", 8), SyntheticPairs.corpus());
  }

  /** The tiny CLIP every member builds identically. */
  static ClipModel model(NDManager manager) {
    synchronized (TinyClip.class) {
      Engine.getInstance().setRandomSeed(SEED);
      ClipModel model = new ClipModel(new ConvImageEncoderFixture().build(PluginConfig.of("channels", 8)),
          new BagTextEncoderFixture().build(PluginConfig.of("width", 32), tokenizer()), 16);
      model.initialize(manager, SIZE, SIZE);
      return model;
    }
  }

  static TrainingOptions options(long total) {
    return TrainingOptions.clip(new CosineSchedule(0.01, 2, total, 0.001));
  }

  /** The global batches over the shards {@link PairShards} wrote into {@code shards}, as every member reads them. */
  static ShardPairs shardData(Path shards, int globalBatch) throws IOException {
    ShardIndex index = ShardIndex.open(PairShards.in(shards));
    PairRows rows = new PairRows(index, SIZE, AugmentPolicy.openClip(), CaptionOverrides.none(), 0, SEED);
    return new ShardPairs(index, rows, tokenizer(), globalBatch, SEED, System.out::println);
  }

  static SyntheticPairs data(int samples, int globalBatch) {
    return new SyntheticPairs(samples, globalBatch, SIZE, tokenizer(), SEED);
  }

}
