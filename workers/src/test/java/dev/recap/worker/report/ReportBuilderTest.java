package dev.recap.worker.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportBuilderTest {

  @TempDir
  Path dir;

  private static double mean(double... v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double sampleStd(double... v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  private static String cell(double... v) {
    return Numbers.format(mean(v)) + " ± " + Numbers.format(sampleStd(v)) + " (n=" + v.length + ")";
  }

  private ResultFixture twoRunsTwoSeeds() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    double[][] miou = {{0.41, 0.43}, {0.30, 0.315}};
    double[][] rmse = {{1.60, 1.64}, {1.90, 1.95}};
    String[] runs = {"vit-grounded", "vit-alt-text"};
    for (int r = 0; r < 2; r++) {
      for (int s = 0; s < 2; s++) {
        f.result("evaluate", runs[r], "vit:vit-tiny", r == 0 ? "grounded" : "alt-text", s + 1, "frozen", "segmentation",
            1.0, Map.of("mIoU", miou[r][s], "aAcc", 0.8 + 0.01 * s), Map.of("sky", 0.9 - 0.1 * r, "road", 0.5 + 0.01 * s),
            826624);
        f.result("evaluate", runs[r], "vit:vit-tiny", r == 0 ? "grounded" : "alt-text", s + 1, "frozen", "depth", 1.0,
            Map.of("rmse", rmse[r][s], "absRel", 0.2, "delta1", 0.7), Map.of(), 826624);
        f.result("evaluate", runs[r], "vit:vit-tiny", r == 0 ? "grounded" : "alt-text", s + 1, "retrieval", "retrieval",
            1.0, Map.of("r1", 0.1 * (r + 1) + 0.01 * s, "r5", 0.5), Map.of(), 826624);
      }
      f.pretrain(runs[r], 1, new double[] {4.0, 3.0, 2.5}, 12.5 + r);
    }
    return f;
  }

  @Test
  void tableNumbersAreTheMeanAndSampleStdOfTheResultFiles() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    ReportTable table = ReportTable.comparison(out.contents().results());
    int miou = table.header().indexOf("frozen @ 100% mIoU");
    int rmse = table.header().indexOf("frozen @ 100% rmse");
    int r1 = table.header().indexOf("retrieval r1");
    assertTrue(miou > 0 && rmse > 0 && r1 > 0, table.header().toString());
    List<String> grounded = table.rows().stream().filter(r -> r.get(0).equals("vit-grounded")).findFirst().orElseThrow();
    List<String> alt = table.rows().stream().filter(r -> r.get(0).equals("vit-alt-text")).findFirst().orElseThrow();
    assertEquals(cell(0.41, 0.43), grounded.get(miou));
    assertEquals(cell(0.30, 0.315), alt.get(miou));
    assertEquals(cell(1.90, 1.95), alt.get(rmse));
    assertEquals(cell(0.2, 0.21), alt.get(r1));
    assertEquals("826624", grounded.get(4));
    assertEquals(0.42, Double.parseDouble(grounded.get(miou).split(" ")[0]), 1e-4);

    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    String html = new String(out.files().get("report.html"), StandardCharsets.UTF_8);
    for (String c : List.of(cell(0.41, 0.43), cell(1.60, 1.64), cell(1.90, 1.95))) {
      assertTrue(md.contains("| " + c + " |"), c);
      assertTrue(html.contains("<td>" + c + "</td>"), c);
    }
    // per-class IoU: sky of alt-text is 0.8 on both seeds, road 0.5 / 0.51
    assertTrue(md.contains("| vit-alt-text | " + cell(0.5, 0.51) + " | 0.8000 ± 0.0000 (n=2) |"), md);
    assertTrue(html.contains("<script src=\"chart.umd.min.js\"></script>"));
    assertTrue(html.contains("new Chart("));
    // wall time per stage from the pretrain results' wallSeconds: 12.5 + 13.5
    assertTrue(md.contains("| pretrain | 2 | 26.0000 | 13.5000 |"), md);
    // each pretraining run's augmentation, as its result.json records it
    assertTrue(md.contains("| vit-grounded | crop 90-100% area, no flip |"), md);
    assertTrue(html.contains("<td>crop 90-100% area, no flip</td>"), html);
  }

  @Test
  void chartsArePngsNamedInTheMarkdown() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    List<String> pngs = out.files().keySet().stream().filter(n -> n.startsWith("chart-")).toList();
    assertTrue(pngs.contains("chart-loss.png"), pngs.toString());
    assertTrue(pngs.contains("chart-frozen-100-mIoU.png"), pngs.toString());
    for (String png : pngs) {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(out.files().get(png)));
      assertNotNull(img, png);
      assertEquals(760, img.getWidth());
      assertTrue(md.contains("](" + png + ")"), png);
    }
    // the loss chart draws something besides white, black and grey: the curves
    BufferedImage loss = ImageIO.read(new ByteArrayInputStream(out.files().get("chart-loss.png")));
    int blue = 0;
    for (int y = 0; y < loss.getHeight(); y++) {
      for (int x = 0; x < loss.getWidth(); x++) {
        if ((loss.getRGB(x, y) & 0xffffff) == 0x1f77b4) {
          blue++;
        }
      }
    }
    assertTrue(blue > 50, "first series pixels: " + blue);
  }

  @Test
  void garbledInputsAreSkippedByFileAndFieldAndTheRestIsReported() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    Path good = f.result("evaluate", "vit-grounded", "vit:vit-tiny", "grounded", 1, "frozen", "segmentation", 1.0,
        Map.of("mIoU", 0.41), Map.of(), 10);
    f.images(good, List.of("pred-0.png", "pred-1.png"), List.of(true, false));
    Path badMetric = f.raw("evaluate", "bad-metric", "{\"run\":\"x\",\"seed\":1,\"protocol\":\"frozen\",\"task\":\"segmentation\","
        + "\"metrics\":{\"mIoU\":\"high\"}}");
    Path noRun = f.raw("evaluate", "no-run", "{\"seed\":1,\"protocol\":\"frozen\",\"task\":\"depth\",\"metrics\":{}}");
    Path notJson = f.raw("evaluate", "not-json", "{\"run\": ");
    Path badLoss = f.loss("pretrain", "p1", "step,loss\n0,1.0\n10,abc\n");
    Path badHeader = f.loss("pretrain", "p2", "iteration,value\n0,1.0\n");
    Path missing = dir.resolve("gone/result.json");
    f.inputs.add(new ReportBuilder.Input("evaluate", "gone", missing));

    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    List<String> skipped = out.contents().skipped();
    assertEquals(7, skipped.size(), skipped.toString());
    assertSkipped(skipped, badMetric, "field 'metrics.mIoU'", "'high'");
    assertSkipped(skipped, noRun, "field 'run'", "missing");
    assertSkipped(skipped, notJson, "not a JSON object");
    assertSkipped(skipped, badLoss, "field 'loss (line 3)'", "'abc'");
    assertSkipped(skipped, badHeader, "field 'header'", "'step' and 'loss'");
    assertSkipped(skipped, missing, "does not exist");
    assertSkipped(skipped, good, "field 'images[1].file'", "pred-1.png");

    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("**Skipped inputs (7)**"), md);
    assertTrue(md.contains("| vit-grounded |"), md);
    assertTrue(md.contains("0.4100 (n=1)"), md);
    String sample = out.files().keySet().stream().filter(n -> n.startsWith("sample-")).findFirst().orElseThrow();
    assertTrue(md.contains("](" + sample + ")"));
    assertEquals(1, out.files().keySet().stream().filter(n -> n.startsWith("sample-")).count());
    assertTrue(md.contains("No loss curves"), md);
  }

  @Test
  void aGarbledFileNamesItsField() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    Path file = f.raw("evaluate", "t", "{\"run\":\"a\",\"seed\":\"one\",\"protocol\":\"frozen\",\"task\":\"depth\",\"metrics\":{}}");
    ReportInputException e = assertThrows(ReportInputException.class,
        () -> ResultFiles.readResult(file, "evaluate", "t", s -> {}));
    assertEquals("seed", e.field());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains("must be a number, got 'one'"), e.getMessage());
    Path fraction = f.raw("evaluate", "u", "{\"run\":\"a\",\"seed\":1,\"protocol\":\"finetune\",\"task\":\"depth\",\"fraction\":10,\"metrics\":{}}");
    assertEquals("fraction", assertThrows(ReportInputException.class,
        () -> ResultFiles.readResult(fraction, "evaluate", "u", s -> {})).field());
  }

  private static void assertSkipped(List<String> skipped, Path file, String... parts) {
    assertTrue(skipped.stream().anyMatch(s -> s.startsWith(file.toString()) && List.of(parts).stream().allMatch(s::contains)),
        file + " " + List.of(parts) + " not in " + skipped);
  }

  @Test
  void aSecondValueForTheSameRunSeedAndSettingIsLeftOutSoNCountsSeeds() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    f.result("evaluate", "vit-grounded", "vit", "grounded", 1, "frozen", "segmentation", 1.0, Map.of("mIoU", 0.41), Map.of(), 1);
    Path again = f.raw("evaluate", "again", "{\"run\":\"vit-grounded\",\"seed\":1,\"protocol\":\"frozen\","
        + "\"task\":\"segmentation\",\"metrics\":{\"mIoU\":0.99}}");
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    assertEquals("0.4100 (n=1)", out.contents().results().summary("vit-grounded", "frozen", 1.0, "mIoU").orElseThrow().format());
    assertSkipped(out.contents().skipped(), again, "field 'metrics.mIoU'", "seed 1", "already reported");
  }

  @Test
  void lossesOfSegmentationAndDepthInTheSameSettingAreBothReportedUnderTheirTask() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    f.result("evaluate", "vit-grounded", "vit", "grounded", 1, "frozen", "segmentation", 1.0,
        Map.of("mIoU", 0.41, "testLoss", 1.25), Map.of(), 1);
    f.result("evaluate", "vit-grounded", "vit", "grounded", 1, "frozen", "depth", 1.0,
        Map.of("rmse", 2.5, "testLoss", 6.5), Map.of(), 1);
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    ExperimentResults r = out.contents().results();
    assertEquals(1.25, r.summary("vit-grounded", "frozen", 1.0, "segmentation.testLoss").orElseThrow().mean(), 1e-12);
    assertEquals(6.5, r.summary("vit-grounded", "frozen", 1.0, "depth.testLoss").orElseThrow().mean(), 1e-12);
    assertEquals(0.41, r.summary("vit-grounded", "frozen", 1.0, "mIoU").orElseThrow().mean(), 1e-12);
    assertTrue(out.contents().skipped().isEmpty(), out.contents().skipped().toString());
  }

  @Test
  void noInputsStillGivesAReport() {
    ReportBuilder.Output out = ReportBuilder.build("empty", List.of(), ResultFixture.defaults());
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("Built from 0 result.json"));
    assertTrue(md.contains("**(a) not evaluated**"), md);
    assertTrue(Files.notExists(dir.resolve("report.md")));
  }
}
