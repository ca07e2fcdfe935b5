package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.cli.RecapCli;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights out and back in, on the embedded default with the distribution's plugin jars. Job A
 * trains a tiny CLIP and scores it on retrieval and zero-shot ("which shape is the largest
 * object"); {@code recap export} writes it as an OpenCLIP checkpoint; job B, on the same data,
 * evaluates that file as an external checkpoint beside a run that starts from it ({@code init}).
 * Retrieval and zero-shot involve no randomness, so the checkpoint must score exactly what the run
 * it came from scored.
 */
class CheckpointsPipelineTest {

  private static final String VIT = "{patch: 8, width: 32, depth: 1, heads: 2, mlpRatio: 2.0, imageSize: 32}";
  private static final String TEXT = "{width: 32, depth: 1, heads: 2, context: 24, vocab: 512}";
  private static final String SHAPES = "[circle, square, triangle, diamond, cross, ring, bar]";
  private static final String DATA = "  - {name: data, kind: synth-data, sourceConfig: {size: 32}, pairs: 90, shardSize: 90,"
      + " referenceFraction: 0.05, heldOut: 24, denseTrain: 8, denseTest: 24}\n";

  static final String JOB_A = "name: weights-out\nseed: 5\nmaxAttempts: 1\nleaseSeconds: 30\nstages:\n" + DATA + """
        - {name: curate, kind: curate, after: [data], sources: [grounded], batchSize: 32}
        - name: pretrain
          kind: pretrain
          after: [data, curate]
          imageSize: 32
          batchSize: 30
          maxSteps: 6
          warmupSteps: 1
          embedDim: 32
          textConfig: %s
          runs: [{name: tiny, captions: grounded, encoderConfig: %s}]
        - {name: evaluate, kind: evaluate, after: [data, pretrain], protocols: [], zeroShot: {classes: %s}}
      """.formatted(TEXT, VIT, SHAPES);

  static String jobB(Path checkpoint) {
    return "name: weights-in\nseed: 5\nmaxAttempts: 1\nleaseSeconds: 30\nstages:\n" + DATA + """
          - {name: pretrain, kind: pretrain, after: [data], imageSize: 32, embedDim: 32, init: %s,
             runs: [{name: warm, objective: none, encoderConfig: %s}]}
          - name: evaluate
            kind: evaluate
            after: [data, pretrain]
            tasks: [segmentation]
            protocols: [frozen]
            frozen: {epochs: 1, batchSize: 8, bootstrapResamples: 0, predictions: 0}
            zeroShot: {classes: %s}
            checkpoints:
              - {name: exported, init: %s, encoderConfig: %s, textConfig: %s, embedDim: 32, imageSize: 32}
        """.formatted(checkpoint, VIT, SHAPES, checkpoint, VIT, TEXT);
  }

  private static JsonObject result(EmbeddedJobRun job, String task) throws Exception {
    Path dir = job.tasks().get(task);
    assertTrue(dir != null, "no task " + task + " in " + job.tasks().keySet());
    return new JsonObject(Files.readString(dir.resolve("result.json")));
  }

  @Test
  void anExportedRunScoresAsTheRunItCameFromAndARunStartsFromIt(@TempDir Path tmp) throws Exception {
    EmbeddedJobRun a = EmbeddedJobRun.run(tmp.resolve("a"), JOB_A, "weights-out", Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", a.done().state(), () -> "job A failed: " + a.done().cause());
    JsonObject retrievalA = result(a, "evaluate_tiny-s1-retrieval").getJsonObject("metrics");
    JsonObject zeroShotA = result(a, "evaluate_tiny-s1-zeroshot");
    assertEquals(24, zeroShotA.getInteger("testSamples") + zeroShotA.getJsonObject("zeroShot").getInteger("skippedImages"));
    double top1 = zeroShotA.getJsonObject("metrics").getDouble("top1");
    assertTrue(top1 >= 0 && top1 <= 1, "top-1 is a share of test images: " + top1);

    Path out = tmp.resolve("export");
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    Path plugins = Path.of(System.getProperty("recap.dist", "../target/recap"), "plugins");
    int code = RecapCli.execute(new PrintWriter(stdout), new PrintWriter(stderr), "export",
        a.tasks().get("pretrain_tiny-s1").toString(), "--format", "openclip", "--out", out.toString(), "--plugins", plugins.toString());
    assertEquals(RecapCli.OK, code, () -> "recap export: " + stdout + stderr);
    Path checkpoint = out.resolve("open_clip_model.safetensors");
    JsonObject config = new JsonObject(Files.readString(out.resolve("open_clip_config.json")));
    JsonObject vision = config.getJsonObject("model_cfg").getJsonObject("vision_cfg");
    assertEquals(32, vision.getInteger("width"));
    assertEquals(16, vision.getInteger("head_width"));
    assertEquals(false, config.getJsonObject("model_cfg").getBoolean("quick_gelu"));
    assertEquals(3, config.getJsonObject("preprocess_cfg").getJsonArray("mean").size());

    EmbeddedJobRun b = EmbeddedJobRun.run(tmp.resolve("b"), jobB(checkpoint), "weights-in", Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", b.done().state(), () -> "job B failed: " + b.done().cause());
    JsonObject retrievalB = result(b, "evaluate_exported-s1-retrieval");
    assertEquals("checkpoint", retrievalB.getString("objective"));
    assertEquals(checkpoint.toString(), retrievalB.getString("checkpoint"));
    assertEquals(retrievalA, retrievalB.getJsonObject("metrics"), "the checkpoint retrieves as the run did");
    assertEquals(zeroShotA.getJsonObject("metrics"), result(b, "evaluate_exported-s1-zeroshot").getJsonObject("metrics"),
        "the checkpoint classifies as the run did");
    // the run that started from the checkpoint, and the checkpoint itself, both probed
    assertEquals(checkpoint.toString(), result(b, "pretrain_warm-s1").getString("init"));
    for (String probe : new String[] {"evaluate_warm-s1-frozen-segmentation-f1.0", "evaluate_exported-s1-frozen-segmentation-f1.0"}) {
      double miou = result(b, probe).getJsonObject("metrics").getDouble("mIoU");
      assertTrue(miou >= 0 && miou <= 1, probe + ": " + miou);
    }
  }
}
