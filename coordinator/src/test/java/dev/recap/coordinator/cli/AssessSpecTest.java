package dev.recap.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.spec.Budget;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecException;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recap assess}'s options turned into a job spec that the real parser and every stage's
 * planner accept, for each captioner kind; the budget read as people write it; every bad option
 * refused naming the option.
 */
class AssessSpecTest {

  @TempDir
  Path dir;

  static final Set<String> PLUGINS = Set.of("vit", "text-transformer", "alt-text", "learned", "torchscript", "linear");

  /** {@code n} shards of {@code pairs} samples each (key.jpg, key.txt, key.json), and an ADE20k-shaped folder. */
  private void data(int n, int pairs) throws Exception {
    Files.createDirectories(dir.resolve("crawl"));
    for (int s = 0; s < n; s++) {
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(dir.resolve("crawl").resolve(
          String.format("%05d.tar", s))))) {
        for (int i = 0; i < pairs; i++) {
          for (String ext : List.of("jpg", "txt", "json")) {
            byte[] b = (ext.equals("json") ? "{}" : "x").getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(String.format("%09d.%s", s * pairs + i, ext));
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
          }
        }
      }
    }
    Path ade = dir.resolve("ADEChallengeData2016");
    for (String f : List.of("images/training", "images/validation", "annotations/training", "annotations/validation")) {
      Files.createDirectories(ade.resolve(f));
    }
  }

  private static AssessSpec.Options options(Path dir, String captioner, String reference, String budget, int seeds) {
    return new AssessSpec.Options("crawl/{00000..00063}.tar", "ade20k:ADEChallengeData2016", captioner, reference, "txt", budget,
        seeds, "vit-tiny", 2, 0, dir);
  }

  /** Problems the parser and every planner find, with the live plugins of a worker. */
  private List<SpecProblem> validate(String yaml) {
    JobSpec job = JobSpecParser.parse(yaml, "assess.yaml", dir);
    SpecCheck check = new SpecCheck(PLUGINS);
    StagePlanners planners = StagePlanners.fromClassPath();
    for (StageSpec stage : job.stages()) {
      planners.get(stage.kind()).validate(stage, job, check);
    }
    return check.problems();
  }

  @Test
  void everyCaptionerKindGivesASpecTheParserAndThePlannersAccept() throws Exception {
    data(64, 100);
    Files.write(dir.resolve("captioner.pt"), new byte[] {1});
    Files.write(dir.resolve("tokenizer.json"), "{}".getBytes(StandardCharsets.UTF_8));
    for (String[] c : new String[][] {{"learned", "json:trusted", "learned"}, {"json:vlm.caption", null, "stored"},
        {"torchscript:captioner.pt", null, "torchscript"}}) {
      AssessSpec spec = AssessSpec.of(options(dir, c[0], c[1], "30m", 3));
      assertEquals(List.of(), validate(spec.yaml()), spec.yaml());
      JobSpec job = JobSpecParser.parse(spec.yaml(), "assess.yaml", dir);
      assertEquals(30 * 60, job.budgetSeconds());
      StageSpec curate = job.stage("curate").orElseThrow();
      assertEquals(List.of("alt-text", c[2]), curate.params().get("sources"), c[0]);
      assertEquals(c[0].equals("learned"), job.stage("captioner").isPresent(), c[0]);
      StageSpec data = job.stage("data").orElseThrow();
      assertEquals(c[0].startsWith("json:") ? "json:vlm.caption" : c[1], data.params().get("referenceCaption"), c[0]);
      // three seed rounds; the second and third held back by the budget, judged by the first
      for (int s = 1; s <= 3; s++) {
        StageSpec pretrain = job.stage("pretrain-s" + s).orElseThrow();
        assertEquals(List.of(s), pretrain.params().get("seeds"));
        assertEquals(3, pretrain.params().get("snapshots"));
        assertEquals(s == 1 ? List.of() : List.of("pretrain-s1", "evaluate-s1"), JobSpecParser.withinBudget(pretrain));
        assertTrue(job.stage("evaluate-s" + s).orElseThrow().after().contains("dense"));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> assess = (Map<String, Object>) job.stage("report").orElseThrow().params().get("assess");
      assertEquals("original", assess.get("original"));
      assertEquals(c[2], assess.get("source"));
      assertEquals(64, assess.get("shards"));
    }
  }

  @Test
  void theProxyGrowsWithTheBudgetAndIsSpreadOverTheShards() throws Exception {
    data(64, 100);
    AssessSpec small = AssessSpec.of(options(dir, "json:vlm", null, "3m", 3));
    AssessSpec large = AssessSpec.of(options(dir, "json:vlm", null, "2h", 3));
    // the dense folder is empty, so a round is pretraining and retrieval: a seed's share of the budget
    // minus its retrievals (on 2 workers) trains 2 epochs of the proxy at the default speed
    double perRound = AssessSpec.ROUNDS_SHARE * 180 / 3 - AssessSpec.RETRIEVALS_PER_SEED * AssessSpec.RETRIEVAL_SECONDS / 2;
    int expected = (int) Math.ceil((long) (perRound * AssessSpec.DEFAULT_IMAGES_PER_SECOND / AssessSpec.EPOCHS) / 100.0);
    assertTrue(expected > 1 && expected < 64, "the test needs a 3-minute proxy between 1 and 64 shards, got " + expected);
    assertEquals(expected, small.proxyShards(), small.sizing());
    assertEquals(64, large.proxyShards(), "the budget allows the whole dataset");
    assertTrue(small.sizing().contains(expected + " of 64 shards"), small.sizing());
    assertTrue(large.sizing().contains("the budget allows the whole dataset"), large.sizing());
    assertTrue(3 * small.roundSeconds() <= 180, "three rounds fit the budget: " + small.sizing());
    JobSpec job = JobSpecParser.parse(small.yaml(), "assess.yaml", dir);
    @SuppressWarnings("unchecked")
    List<String> shards = (List<String>) job.stage("data").orElseThrow().params().get("shards");
    assertEquals(expected, shards.size());
    assertEquals(AssessSpec.spread(java.util.stream.IntStream.range(0, 64).mapToObj(i -> dir.resolve("crawl")
        .resolve(String.format("%05d.tar", i))).toList(), expected).stream().map(Path::toString).toList(), shards);
    assertTrue(shards.get(0).endsWith("00000.tar"), shards.toString());
    // a sample of the shards trains 2 epochs; the whole dataset spends the rest of the share on more, up to 10
    assertEquals(AssessSpec.EPOCHS, epochs(small));
    assertEquals(AssessSpec.MAX_EPOCHS, epochs(large));
    assertTrue(large.sizing().contains("x " + AssessSpec.MAX_EPOCHS + " epochs"), large.sizing());
    assertTrue(3 * large.roundSeconds() <= 7200, "three rounds of 10 epochs fit the 2h budget: " + large.sizing());
    AssessSpec justWhole = AssessSpec.of(options(dir, "json:vlm", null, "8m", 3));
    assertEquals(64, justWhole.proxyShards(), justWhole.sizing());
    int epochs = epochs(justWhole);
    assertTrue(epochs > AssessSpec.EPOCHS && epochs < AssessSpec.MAX_EPOCHS, "epochs " + epochs + ": " + justWhole.sizing());
    assertTrue(3 * justWhole.roundSeconds() <= 480, justWhole.sizing());
    AssessSpec tiny = AssessSpec.of(options(dir, "json:vlm", null, "10s", 3));
    assertEquals(3, tiny.proxyShards(), "never below " + AssessSpec.MIN_PAIRS + " pairs");
  }

  /** An ADE20k-shaped folder with {@code train} / {@code test} images and labels of {@code w x h} (headers only). */
  private Path ade(String name, int train, int test, int w, int h) throws Exception {
    Path root = dir.resolve(name);
    for (String split : List.of("training", "validation")) {
      Files.createDirectories(root.resolve("images").resolve(split));
      Files.createDirectories(root.resolve("annotations").resolve(split));
      for (int i = 0; i < (split.equals("training") ? train : test); i++) {
        String key = String.format("ADE_%s_%08d", split.equals("training") ? "train" : "val", i + 1);
        Files.write(root.resolve("images").resolve(split).resolve(key + ".jpg"), new byte[] {1});
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(24);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'}).putInt(w).putInt(h);
        Files.write(root.resolve("annotations").resolve(split).resolve(key + ".png"), png.array());
      }
    }
    return root;
  }

  /** The spec for 2 seeds on two workers with recaptions stored in json:vlm, with {@code dense} (or none). */
  private AssessSpec twoSeeds(String dense, String budget) {
    return AssessSpec.of(new AssessSpec.Options("crawl/{00000..00063}.tar", dense, "json:vlm", null, "txt", budget, 2,
        "vit-tiny", 2, 0, dir));
  }

  private int epochs(AssessSpec spec) {
    return (int) JobSpecParser.parse(spec.yaml(), "assess.yaml", dir).stage("pretrain-s1").orElseThrow().params().get("epochs");
  }

  /** A round's pretraining at the default speed, the two CLIPs side by side on 2 workers (512 pairs held out). */
  private double pretrainSeconds(AssessSpec spec) {
    return (spec.proxyPairs() - 512.0) * epochs(spec) / AssessSpec.DEFAULT_IMAGES_PER_SECOND;
  }

  @Test
  void theDenseProbesAreSizedFromTheDenseSetAndLeaveTheRestToPretraining() throws Exception {
    data(64, 100);
    ade("small", 640, 512, 64, 64);
    ade("large", 2000, 2000, 683, 512);
    AssessSpec withoutDense = twoSeeds(null, "30m");
    AssessSpec small = twoSeeds("ade20k:small", "30m");
    AssessSpec large = twoSeeds("ade20k:large", "10m");

    // the set as found: every training image (under the limit), 300 of the 512 test images, the labels' size
    assertEquals(new AssessSpec.DenseSet("ade20k", 640, 300, 64, 64, 150), small.dense(), small.sizing());
    // the whole dataset trains either way, for as many epochs as the rest of a round pays for; the
    // round's evaluation grows by the busier worker's four probes
    assertEquals(withoutDense.proxyPairs(), small.proxyPairs());
    assertTrue(epochs(small) <= epochs(withoutDense), small.sizing());
    assertEquals(withoutDense.roundSeconds() - pretrainSeconds(withoutDense) + 4 * AssessSpec.ProbeCost.seconds(small.dense()),
        small.roundSeconds() - pretrainSeconds(small), 1e-6, small.sizing());
    // ADE20k's published label size makes a probe's scoring costly: the limits shrink until the probes fit their share
    AssessSpec.DenseSet d = large.dense();
    assertTrue(d.trainImages() < AssessSpec.DENSE_TRAIN_LIMIT && d.testImages() < AssessSpec.DENSE_TEST_LIMIT, large.sizing());
    assertTrue(d.trainImages() >= AssessSpec.DENSE_MIN && d.testImages() >= AssessSpec.DENSE_MIN, large.sizing());
    assertTrue(d.testImages() == AssessSpec.DENSE_MIN
        || AssessSpec.evaluationSeconds(d, 2) <= AssessSpec.ROUNDS_SHARE * 600 / 2, large.sizing());
    assertTrue(large.sizing().contains("fewer than the limits"), large.sizing());
    assertTrue(large.sizing().contains(d.trainImages() + " training and " + d.testImages() + " test images"), large.sizing());
    // both seeds fit the budget by the estimate, and the spec carries the limits and the probe estimate
    assertTrue(2 * large.roundSeconds() <= 600, large.sizing());
    for (AssessSpec spec : List.of(small, large)) {
      assertTrue(2 * spec.roundSeconds() <= 1800, spec.sizing());
      assertEquals(List.of(), validate(spec.yaml()), spec.yaml());
      JobSpec job = JobSpecParser.parse(spec.yaml(), "assess.yaml", dir);
      StageSpec dense = job.stage("dense").orElseThrow();
      assertEquals(spec.dense().trainImages(), dense.params().get("trainLimit"));
      assertEquals(spec.dense().testImages(), dense.params().get("testLimit"));
      @SuppressWarnings("unchecked")
      Map<String, Object> assess = (Map<String, Object>) job.stage("report").orElseThrow().params().get("assess");
      assertEquals(AssessSpec.ProbeCost.seconds(spec.dense()), ((Number) assess.get("probeSeconds")).doubleValue(), 0.05);
    }
    // a probe on 683x512 labels costs more than on 64x64 ones, image for image
    assertTrue(AssessSpec.ProbeCost.seconds(new AssessSpec.DenseSet("ade20k", 100, 100, 683, 512, 150))
        > AssessSpec.ProbeCost.seconds(new AssessSpec.DenseSet("ade20k", 100, 100, 64, 64, 150)));
    assertEquals(1, AssessSpec.ProbeCost.windows(64, 64));
    assertEquals(2, AssessSpec.ProbeCost.windows(683, 512), "scaled to 85x64: two 64-px windows at stride 42");
  }

  @Test
  void whatTheProbesCostComesOutOfPretrainingAndAnUnfittingBudgetIsSaid() throws Exception {
    data(64, 400);
    ade("small", 640, 512, 64, 64);
    ade("large", 2000, 2000, 683, 512);
    AssessSpec withoutDense = twoSeeds(null, "5m");
    AssessSpec small = twoSeeds("ade20k:small", "5m");
    AssessSpec large = twoSeeds("ade20k:large", "2m");
    assertTrue(withoutDense.proxyShards() < 64, withoutDense.sizing());
    // more dense work, a smaller proxy; the dense set shrunk to its share
    assertTrue(small.proxyPairs() < withoutDense.proxyPairs(), small.sizing() + " / " + withoutDense.sizing());
    assertTrue(small.dense().trainImages() < 640, small.sizing());
    assertTrue(2 * small.roundSeconds() <= 300, small.sizing());
    // in two minutes, ADE20k-sized probes at the fewest images take more than two rounds can: said before the job starts
    assertEquals(AssessSpec.DENSE_MIN, large.dense().trainImages(), large.sizing());
    assertTrue(large.sizing().contains("2 seed(s) do not fit: the budget will stop the rounds that would overrun"),
        large.sizing());
  }

  @Test
  void aCalibratedSpeedSizesTheProxyAndItsTimeComesOutOfTheBudget() throws Exception {
    data(64, 400);
    AssessSpec byDefault = twoSeeds(null, "5m");
    AssessSpec.Options o = new AssessSpec.Options("crawl/{00000..00063}.tar", null, "json:vlm", null, "txt", "5m", 2,
        "vit-tiny", 2, 0, dir);
    AssessSpec faster = AssessSpec.of(o, new AssessCalibration.Result(2 * AssessSpec.DEFAULT_IMAGES_PER_SECOND, 2, 45));
    AssessSpec slower = AssessSpec.of(o, new AssessCalibration.Result(AssessSpec.DEFAULT_IMAGES_PER_SECOND / 2, 2, 45));
    // a proxy of the shards at the default speed: twice the speed takes more pairs, half the speed fewer
    assertTrue(byDefault.proxyShards() < 64, byDefault.sizing());
    assertTrue(faster.proxyPairs() > byDefault.proxyPairs(), faster.sizing() + " / " + byDefault.sizing());
    assertTrue(slower.proxyPairs() < byDefault.proxyPairs(), slower.sizing() + " / " + byDefault.sizing());
    // the sizing names the speed and where it came from; the job's budget is what the calibration left
    assertTrue(faster.sizing().contains("at 440 images/s per worker (measured here before the job: "
        + AssessCalibration.STEPS + " steps on each of 2 worker(s), 45s of the budget)"), faster.sizing());
    assertTrue(faster.sizing().contains("fit 85% of the 4m15s budget"), faster.sizing());
    assertEquals(5 * 60 - 45, JobSpecParser.parse(faster.yaml(), "assess.yaml", dir).budgetSeconds());
    assertEquals(List.of(), validate(faster.yaml()), faster.yaml());
    // a calibration that used up the budget leaves nothing to size: said, naming the budget
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> AssessSpec.of(o, new AssessCalibration.Result(300, 2, 4 * 60 + 30)));
    assertTrue(none.getMessage().startsWith("--budget: the trainer's calibration took 4m30s of the 5m budget"),
        none.getMessage());
  }

  @Test
  void budgetsAreReadAsPeopleWriteThem() {
    assertEquals(1800, Budget.seconds("30m"));
    assertEquals(7200, Budget.seconds("2h"));
    assertEquals(5400, Budget.seconds("1h30m"));
    assertEquals(90, Budget.seconds("90s"));
    assertEquals(600, Budget.seconds("600"));
    assertEquals(600, Budget.seconds(600));
    assertEquals("1h30m", Budget.format(5400));
    for (Object bad : new Object[] {"", "0", "30 minutes", "-5m", "m", 0, 1.5}) {
      assertThrows(IllegalArgumentException.class, () -> Budget.seconds(bad), String.valueOf(bad));
    }
    SpecException e = assertThrows(SpecException.class, () -> JobSpecParser.parse("""
        name: j
        budget: soon
        stages: [{name: a, kind: smoke}, {name: b, kind: smoke, after: [a], withinBudget: [c]}]
        """, "j.yaml"));
    assertTrue(e.getMessage().contains("budget: must be a positive duration"), e.getMessage());
    assertTrue(e.getMessage().contains("stages[1].withinBudget[0]: 'c' is not an earlier stage"), e.getMessage());
    SpecException noBudget = assertThrows(SpecException.class, () -> JobSpecParser.parse("""
        name: j
        stages: [{name: a, kind: smoke}, {name: b, kind: smoke, after: [a], withinBudget: [a]}]
        """, "j.yaml"));
    assertTrue(noBudget.getMessage().contains("stages[1].withinBudget: needs a job 'budget'"), noBudget.getMessage());
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() throws Exception {
    data(2, 10);
    Map<String, AssessSpec.Options> bad = Map.of(
        "--budget", options(dir, "learned", "json:trusted", "half an hour", 3),
        "--seeds", options(dir, "learned", "json:trusted", "30m", 0),
        "--reference", options(dir, "learned", null, "30m", 3),
        "--captioner", options(dir, "blip", null, "30m", 3));
    for (var e : bad.entrySet()) {
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> AssessSpec.of(e.getValue()));
      assertTrue(x.getMessage().startsWith(e.getKey() + ": "), x.getMessage());
    }
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> AssessSpec.of(
        new AssessSpec.Options("nowhere/*.tar", null, "json:vlm", null, "txt", "30m", 3, "vit-tiny", 2, 0, dir)));
    assertTrue(missing.getMessage().startsWith("--shards: ") && missing.getMessage().contains("nowhere"), missing.getMessage());
    IllegalArgumentException dense = assertThrows(IllegalArgumentException.class, () -> AssessSpec.of(
        new AssessSpec.Options("crawl/*.tar", "cityscapes:/data", "json:vlm", null, "txt", "30m", 3, "vit-tiny", 2, 0, dir)));
    assertTrue(dense.getMessage().startsWith("--dense: "), dense.getMessage());
    IllegalArgumentException torch = assertThrows(IllegalArgumentException.class, () -> AssessSpec.of(
        options(dir, "torchscript:missing.pt", null, "30m", 3)));
    assertTrue(torch.getMessage().startsWith("--captioner: ") && torch.getMessage().contains("missing.pt"), torch.getMessage());
  }

  @Test
  void printSpecWritesTheSpecAndExits() throws Exception {
    data(4, 20);
    Path out = dir.resolve("assess.yaml");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = RecapCli.execute(new PrintWriter(o), new PrintWriter(e), "assess", "--shards", dir + "/crawl/{00000..00003}.tar",
        "--captioner", "json:vlm", "--budget", "5m", "--seeds", "2", "--print-spec", out.toString());
    assertEquals(RecapCli.OK, code, e.toString());
    assertTrue(o.toString().contains("proxy: "), o.toString());
    assertEquals(List.of(), validate(Files.readString(out)));
    int refused = RecapCli.execute(new PrintWriter(o), new PrintWriter(e), "assess", "--shards", dir + "/crawl/*.tar",
        "--budget", "0", "--print-spec", out.toString());
    assertEquals(RecapCli.INVALID, refused);
    assertTrue(e.toString().contains("--budget: "), e.toString());
  }
}
