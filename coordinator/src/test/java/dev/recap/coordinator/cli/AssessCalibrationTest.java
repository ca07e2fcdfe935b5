package dev.recap.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer calibration {@code recap assess} runs before sizing: its job is one the parser and
 * planners accept, training the assessment's CLIP on one shard for a fixed number of steps per
 * worker; its speed is read from the runs' loss.csv, leaving out the warm-up steps.
 */
class AssessCalibrationTest {

  @TempDir
  Path dir;

  /** A loss.csv of {@code steps} steps: the first {@code slow} at 10 images/s, the rest at {@code ips}. */
  private static List<String> lossCsv(int steps, int slow, double ips) {
    List<String> lines = new ArrayList<>(List.of("step,loss,logit_scale,lr,images_per_sec"));
    for (int s = 1; s <= steps; s++) {
      lines.add(s + ",4.1,14.28,0.0005," + (s <= slow ? "10.00" : String.valueOf(ips)));
    }
    return lines;
  }

  @Test
  void theSpeedLeavesTheWarmUpOutAndAveragesTheWorkers() throws Exception {
    // warm-up steps at 10 images/s do not count; the rest is images over their time
    assertEquals(300, AssessCalibration.rate(lossCsv(60, AssessCalibration.SKIPPED_STEPS, 300), dir), 1e-9);
    // steps at 200 and 400 images/s: equal batches, so 2 batches in 1/200 + 1/400 s per image
    List<String> mixed = lossCsv(AssessCalibration.SKIPPED_STEPS, 0, 1);
    mixed.add("11,4,14,0.0005,200");
    mixed.add("12,4,14,0.0005,400");
    assertEquals(2 / (1 / 200.0 + 1 / 400.0), AssessCalibration.rate(mixed, dir), 1e-9);
    assertEquals(0, AssessCalibration.rate(lossCsv(AssessCalibration.SKIPPED_STEPS, 0, 300), dir),
        "no step past the warm-up: no speed");

    Path a = Files.createDirectories(dir.resolve("out/job/pretrain_calibration_s1"));
    Path b = Files.createDirectories(dir.resolve("out/job/pretrain_calibration_s2"));
    Files.write(a.resolve("loss.csv"), lossCsv(60, 10, 280));
    Files.write(b.resolve("loss.csv"), lossCsv(60, 10, 320));
    assertEquals(300, AssessCalibration.imagesPerSecond(dir.resolve("out")), 1e-9);
  }

  @Test
  void aCalibrationThatTrainedNothingIsAnErrorSayingWhereItLooked() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out/job/pretrain_calibration_s1"));
    IOException nothing = assertThrows(IOException.class, () -> AssessCalibration.imagesPerSecond(dir.resolve("out")));
    assertTrue(nothing.getMessage().contains("no loss.csv") && nothing.getMessage().contains(dir.resolve("out").toString()),
        nothing.getMessage());
    Files.write(out.resolve("loss.csv"), List.of("step,loss,logit_scale,lr,images_per_sec", "11,4,14,0.0005,fast"));
    IOException bad = assertThrows(IOException.class, () -> AssessCalibration.imagesPerSecond(dir.resolve("out")));
    assertTrue(bad.getMessage().contains("loss.csv") && bad.getMessage().contains("step 11") && bad.getMessage().contains("fast"),
        bad.getMessage());
  }

  @Test
  void theCalibrationJobTrainsTheAssessmentsClipOnOneShardOneRunPerWorker() throws Exception {
    Path shard = Files.createDirectories(dir.resolve("crawl")).resolve("00000.tar");
    Files.write(shard, new byte[0]); // the parser checks that the shard is there; the planners do not read it
    AssessSpec.Options o = new AssessSpec.Options("crawl/*.tar", null, "json:vlm", null, "json:alt", "30m", 3, "vit-small", 2,
        0, dir);
    String yaml = AssessCalibration.yaml(o, shard, 2, dir.resolve("calibration"));
    JobSpec job = JobSpecParser.parse(yaml, "calibration.yaml", dir);
    SpecCheck check = new SpecCheck(Set.of("vit", "text-transformer", "alt-text"));
    StagePlanners planners = StagePlanners.fromClassPath();
    for (StageSpec stage : job.stages()) {
      planners.get(stage.kind()).validate(stage, job, check);
    }
    assertEquals(List.of(), check.problems(), yaml);
    assertEquals(dir.resolve("calibration").toString(), job.output());
    StageSpec data = job.stage("data").orElseThrow();
    assertEquals(List.of(shard.toString()), data.params().get("shards"));
    assertEquals("json:alt", data.params().get("caption"), "the original captions, read as the assessment reads them");
    StageSpec pretrain = job.stage("pretrain").orElseThrow();
    assertEquals(List.of(1, 2), pretrain.params().get("seeds"), "one run per worker, side by side");
    assertEquals(AssessCalibration.STEPS, pretrain.params().get("maxSteps"));
    assertEquals(AssessSpec.IMAGE_SIZE, pretrain.params().get("imageSize"));
    assertEquals(64, pretrain.params().get("batchSize"), "the assessment's batch");
    assertTrue(yaml.contains("encoderConfig: {preset: vit-small}"), yaml);
    assertEquals(List.of(1), JobSpecParser.parse(AssessCalibration.yaml(o, shard, 1, dir), "c.yaml", dir)
        .stage("pretrain").orElseThrow().params().get("seeds"));
  }
}
