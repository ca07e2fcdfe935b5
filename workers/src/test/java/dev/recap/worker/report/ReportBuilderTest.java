package dev.recap.worker.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportBuilderTest {

  @TempDir
  Path dir;

  private static String text(ReportBuilder.Output out, String file) {
    return new String(out.files().get(file), StandardCharsets.UTF_8);
  }

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
    assertTrue(html.contains("<svg "), "charts inlined");
    assertTrue(!html.contains("<script"), "the page needs no script");
    // wall time per stage from the pretrain results' wallSeconds: 12.5 + 13.5
    assertTrue(md.contains("| pretrain | 2 | 26.0000 | 13.5000 |"), md);
    // each pretraining run's augmentation, as its result.json records it
    assertTrue(md.contains("| vit-grounded | crop 90-100% area, no flip |"), md);
    assertTrue(html.contains("<td>crop 90-100% area, no flip</td>"), html);
  }

  @Test
  void zeroShotTopOneIsAHeadlineColumnBesideRetrievalAndASettingOfTheComparison() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    double[][] top1 = {{0.52, 0.56}, {0.31, 0.29}};
    String[] runs = {"vit-grounded", "vit-alt-text"};
    for (int r = 0; r < 2; r++) {
      for (int s = 0; s < 2; s++) {
        f.result("evaluate", runs[r], "vit:vit-tiny", r == 0 ? "grounded" : "alt-text", s + 1, "zeroshot", "zeroshot", 1.0,
            Map.of("top1", top1[r][s], "top5", 1.0), Map.of(), 826624);
      }
    }
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    ReportTable table = ReportTable.comparison(out.contents().results());
    int column = table.header().indexOf("zeroshot top1");
    assertTrue(column > table.header().indexOf("retrieval r1"), "after retrieval: " + table.header());
    List<String> alt = table.rows().stream().filter(r -> r.get(0).equals("vit-alt-text")).findFirst().orElseThrow();
    assertEquals(cell(0.31, 0.29), alt.get(column));
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("| run | probe mIoU ↑ | probe RMSE ↓ | retrieval R@1 ↑ | zero-shot top-1 ↑ |"), md);
    // the larger mean is the column's best
    assertTrue(md.contains("**" + Numbers.format(mean(0.52, 0.56)) + " ± " + Numbers.format(sampleStd(0.52, 0.56)) + "** |"), md);
    assertTrue(md.contains("zero-shot top-1 a fraction of test images"), md);
  }

  /** A dense result of a model that had seen {@code pairs} training pairs, a snapshot's or the final model's. */
  private static void along(ResultFixture f, String run, long seed, long pairs, boolean snapshot, String task, String metric,
      double value) throws Exception {
    Path file = f.result("evaluate", run + (snapshot ? "-at" + pairs : ""), "vit:vit-tiny", run.substring(4), seed, "frozen",
        task, 1.0, Map.of(metric, value), Map.of(), 826624);
    JsonObject json = new JsonObject(Files.readString(file)).put("run", run).put("pairsSeen", pairs).put("step", pairs / 128);
    if (snapshot) {
      json.put("snapshot", true);
    }
    Files.writeString(file, json.encodePrettily());
  }

  @Test
  void snapshotsAlongTrainingMakeACurvePerRunAndStayOutOfTheFinalModelsNumbers() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    // two seeds of two runs at 4096 and 8192 pairs (snapshots), and the final models at 12288
    double[][][] miou = {{{0.20, 0.22}, {0.25, 0.27}, {0.30, 0.32}}, {{0.20, 0.20}, {0.21, 0.23}, {0.22, 0.24}}};
    String[] runs = {"vit-grounded", "vit-alt-text"};
    for (int r = 0; r < 2; r++) {
      for (int p = 0; p < 3; p++) {
        for (int s = 0; s < 2; s++) {
          along(f, runs[r], s + 1, 4096L * (p + 1), p < 2, "segmentation", "mIoU", miou[r][p][s]);
        }
      }
    }
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    ExperimentResults results = out.contents().results();

    assertEquals(0.31, results.summary("vit-grounded", "frozen", 1.0, "mIoU").orElseThrow().mean(), 1e-12,
        "the run's summary is its final models' only, not the snapshots'");
    assertEquals(2, results.summary("vit-grounded", "frozen", 1.0, "mIoU").orElseThrow().n());

    LearningCurves curves = results.learningCurves();
    List<LearningCurves.Curve> miouCurves = curves.curves(LearningCurves.METRICS.get(0));
    assertEquals(List.of("vit-alt-text", "vit-grounded"), miouCurves.stream().map(LearningCurves.Curve::run).toList());
    LearningCurves.Curve grounded = miouCurves.get(1);
    assertEquals(List.of(4096L, 8192L, 12288L), grounded.points().stream().map(LearningCurves.Point::pairsSeen).toList());
    assertEquals(0.26, grounded.points().get(1).summary().mean(), 1e-12);
    assertEquals(sampleStd(0.25, 0.27), grounded.points().get(1).summary().std(), 1e-12);
    assertEquals(Map.of(1L, 0.25, 2L, 0.27), grounded.points().get(1).bySeed());

    String md = text(out, "report.md");
    assertTrue(md.contains("### Along training"), md);
    assertTrue(md.contains("| run | captions | 4096 pairs | 8192 pairs | 12288 pairs |"), md);
    assertTrue(md.contains("| vit-grounded | grounded | " + cell(0.20, 0.22) + " | " + cell(0.25, 0.27) + " | "
        + cell(0.30, 0.32) + " |"), md);
    String chart = "chart-along-training-frozen-mIoU.svg";
    assertTrue(md.contains("](" + chart + ")"), md);
    assertTrue(out.files().containsKey(chart), out.files().keySet().toString());
    String svg = text(out, chart);
    assertTrue(svg.contains("vit-grounded seed 2") && svg.contains("vit-grounded (grounded), mean of 2 seeds"), svg);
    assertTrue(text(out, "report.html").contains("<h3>Along training</h3>"));
    assertTrue(text(out, "results.csv").lines().skip(1).anyMatch(l -> l.contains(",4096,true,")),
        "results.csv keeps the snapshots' rows with their pairs seen");
  }

  @Test
  void theCodeTableListsThePluginJarsTheResultsRecorded() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    String sha = "4c73f0ed771cf1c2e45b2737f63143547ad706a596cd42b583bc7d6e1fed74a2";
    f.raw("pretrain", "pinned-1", new io.vertx.core.json.JsonObject().put("run", "pinned").put("encoder", "acme-vit@1.2.0")
        .put("captions", "grounded").put("seed", 1).put("protocol", "pretrain").put("task", "pretrain").put("parameters", 10)
        .put("metrics", new io.vertx.core.json.JsonObject().put("finalLoss", 1.5))
        .put("code", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject().put("plugin", "acme-vit")
            .put("version", "1.2.0").put("sha256", sha).put("extension", "acme-vit"))).encode());
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    ReportTable code = ReportTable.code(out.contents().results());
    assertEquals(List.of(List.of("acme-vit", "1.2.0", sha.substring(0, 12), "pinned")), code.rows());
    assertTrue(text(out, "report.md").contains("## Code"), text(out, "report.md"));
    assertTrue(text(out, "report.html").contains("<h2>Code</h2>"));
  }

  @Test
  void aReportWithoutSnapshotsHasNoAlongTrainingSection() throws Exception {
    ReportBuilder.Output out = ReportBuilder.build("t", twoRunsTwoSeeds().inputs, ResultFixture.defaults());
    assertTrue(out.contents().results().learningCurves().isEmpty());
    assertFalse(text(out, "report.md").contains("Along training"));
  }

  @Test
  void chartsAreSvgFilesLinkedFromTheMarkdownAndInlinedInTheHtml() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    String html = new String(out.files().get("report.html"), StandardCharsets.UTF_8);
    List<String> charts = out.files().keySet().stream().filter(n -> n.startsWith("chart-")).toList();
    assertTrue(charts.contains("chart-loss-clip.svg"), charts.toString());
    assertTrue(charts.contains("chart-frozen-100-mIoU.svg"), charts.toString());
    for (String name : charts) {
      assertTrue(name.endsWith(".svg"), name);
      String svg = new String(out.files().get(name), StandardCharsets.UTF_8);
      Document doc = parse(svg);
      assertEquals("svg", doc.getDocumentElement().getTagName(), name);
      assertTrue(md.contains("](" + name + ")"), name);
      assertTrue(html.contains(svg.strip()), name + " inlined in the html");
    }
    // the loss chart draws one line per loss.csv (one pretraining seed per run), through all 3 steps
    Document loss = parse(new String(out.files().get("chart-loss-clip.svg"), StandardCharsets.UTF_8));
    NodeList lines = loss.getElementsByTagName("polyline");
    assertEquals(2, lines.getLength());
    for (int i = 0; i < lines.getLength(); i++) {
      String points = ((Element) lines.item(i)).getAttribute("points");
      assertEquals(3, points.split(" ").length, points);
    }
    // a bar per run, with whiskers: two seeds give a spread
    Document miou = parse(new String(out.files().get("chart-frozen-100-mIoU.svg"), StandardCharsets.UTF_8));
    NodeList bars = miou.getElementsByTagName("rect");
    long barCount = java.util.stream.IntStream.range(0, bars.getLength())
        .filter(i -> "bar".equals(((Element) bars.item(i)).getAttribute("class"))).count();
    assertEquals(2, barCount);
    NodeList paths = miou.getElementsByTagName("path");
    long whiskers = java.util.stream.IntStream.range(0, paths.getLength())
        .filter(i -> "whisker".equals(((Element) paths.item(i)).getAttribute("class"))).count();
    assertEquals(2, whiskers);
  }

  @Test
  void theFirstScreenIsTheClaimsReadInWordsAndTheHeadlineTableWithTheBestMarked() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    // claims and the headline come before any chart or the full table
    int claims = md.indexOf("## Claims");
    int headline = md.indexOf("## Headline");
    assertTrue(claims >= 0 && headline > claims && md.indexOf("## Charts") > headline, md);
    assertTrue(md.indexOf("All metrics, every setting") > md.indexOf("## Charts"));
    // the headline: probe mIoU, probe RMSE and R@1 (no finetune results here), n once in the caption
    String expected = "| run | probe mIoU ↑ | probe RMSE ↓ | retrieval R@1 ↑ |";
    assertTrue(md.contains(expected), md);
    String grounded = "| vit-grounded | **" + Numbers.format(mean(0.41, 0.43)) + " ± " + Numbers.format(sampleStd(0.41, 0.43))
        + "** | **" + Numbers.format(mean(1.60, 1.64)) + " ± " + Numbers.format(sampleStd(1.60, 1.64)) + "** | "
        + Numbers.format(mean(0.10, 0.11)) + " ± " + Numbers.format(sampleStd(0.10, 0.11)) + " |";
    String alt = "| vit-alt-text | " + Numbers.format(mean(0.30, 0.315)) + " ± " + Numbers.format(sampleStd(0.30, 0.315))
        + " | " + Numbers.format(mean(1.90, 1.95)) + " ± " + Numbers.format(sampleStd(1.90, 1.95)) + " | **"
        + Numbers.format(mean(0.20, 0.21)) + " ± " + Numbers.format(sampleStd(0.20, 0.21)) + "** |";
    assertTrue(md.contains(grounded), md);
    assertTrue(md.contains(alt), md);
    assertTrue(md.contains("(n = 2 seeds)"), md);
    // every claim has a one-line reading after its statement
    for (ClaimCheck.Claim claim : out.contents().claims()) {
      assertTrue(md.contains(ClaimReading.of(claim)), claim.id());
    }
    // (a) compares with alt-text (present); with no MAE run in the job at all, it is judged on alt-text and says so
    assertTrue(md.contains("the MAE baseline (vit-mae) is not in this job, so that half of the claim is not evaluated. Holds:"
        + " all 2 comparisons it names favour it"), md);
    JsonObject json = new JsonObject(new String(out.files().get("headline.json"), StandardCharsets.UTF_8));
    assertEquals(3, json.getJsonArray("columns").size());
    JsonObject first = json.getJsonArray("rows").stream().map(r -> (JsonObject) r)
        .filter(r -> r.getString("run").equals("vit-grounded")).findFirst().orElseThrow();
    assertEquals(mean(0.41, 0.43), first.getJsonArray("cells").getJsonObject(0).getDouble("mean"), 1e-12);
    assertEquals(List.of(true, true, false), first.getJsonArray("best").getList());
  }

  @Test
  void everyResultIsOneRowOfResultsCsvAndResultsJson() throws Exception {
    ResultFixture f = twoRunsTwoSeeds();
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    List<String> lines = List.of(new String(out.files().get("results.csv"), StandardCharsets.UTF_8).split("\r\n"));
    List<String> header = List.of(lines.get(0).split(","));
    int results = out.contents().results().results().size();
    assertEquals(results + 1, lines.size());
    assertEquals(List.of("run", "encoder", "captions", "objective", "seed", "protocol", "fraction", "task"), header.subList(0, 8));
    int miou = header.indexOf("mIoU");
    int seed = header.indexOf("seed");
    int protocol = header.indexOf("protocol");
    int task = header.indexOf("task");
    List<Double> groundedMiou = lines.stream().skip(1).map(l -> l.split(",", -1))
        .filter(c -> c[0].equals("vit-grounded") && c[protocol].equals("frozen") && c[task].equals("segmentation"))
        .sorted((x, y) -> x[seed].compareTo(y[seed])).map(c -> Double.parseDouble(c[miou])).toList();
    assertEquals(List.of(0.41, 0.43), groundedMiou);
    JsonArray rows = new JsonArray(new String(out.files().get("results.json"), StandardCharsets.UTF_8));
    assertEquals(results, rows.size());
    assertTrue(rows.stream().map(r -> (JsonObject) r).anyMatch(r -> r.getString("run").equals("vit-alt-text")
        && r.getLong("seed") == 2 && r.getString("task").equals("depth") && r.getJsonObject("metrics").getDouble("rmse") == 1.95));
  }

  @Test
  void predictionStripsOfEveryRunAreCutIntoOneGridOfTheSameTestImages() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    String[] runs = {"vit-grounded", "vit-alt-text"};
    int[] colour = {0x00ff00, 0x0000ff};
    for (int r = 0; r < 2; r++) {
      Path result = f.result("evaluate", runs[r], "vit:vit-tiny", "grounded", 1, "frozen", "segmentation", 1.0,
          Map.of("mIoU", 0.4), Map.of(), 826624);
      // strips input | truth | prediction, 8 px each with 2 px gaps: input red, truth white, prediction per run
      java.awt.image.BufferedImage strip = new java.awt.image.BufferedImage(28, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          strip.setRGB(x, y, 0xff0000);
          strip.setRGB(10 + x, y, 0xffffff);
          strip.setRGB(20 + x, y, colour[r]);
        }
      }
      Path png = result.resolveSibling("strip.png");
      javax.imageio.ImageIO.write(strip, "png", png.toFile());
      JsonObject json = new JsonObject(Files.readString(result));
      Files.writeString(result, json.put("images", new JsonArray().add(new JsonObject().put("kind", "segmentation")
          .put("file", "strip.png"))).encode());
    }
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("| input | ground truth | vit-alt-text | vit-grounded |"), md); // runs in report order
    List<String> cells = out.files().keySet().stream().filter(n -> n.startsWith("grid-")).toList();
    assertEquals(4, cells.size(), cells.toString()); // input + truth once, one prediction per run
    for (String name : cells) {
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new ByteArrayInputStream(out.files().get(name)));
      assertEquals(8, img.getWidth(), name);
      int rgb = img.getRGB(4, 4) & 0xffffff;
      int expected = name.endsWith("-input.png") ? 0xff0000 : name.endsWith("-truth.png") ? 0xffffff
          : name.contains("vit-grounded") ? 0x00ff00 : 0x0000ff;
      assertEquals(expected, rgb, name);
      assertTrue(md.contains("![](" + name + ")"), name);
    }
  }

  @Test
  void anUndefinedPerClassIoUIsLeftOutNotTheWholeResult() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    Path result = f.result("evaluate", "vit-grounded", "vit:vit-tiny", "grounded", 1, "frozen", "segmentation", 1.0,
        Map.of("mIoU", 0.4), Map.of("sky", 0.9), 826624);
    JsonObject json = new JsonObject(Files.readString(result));
    json.getJsonObject("perClassIoU").putNull("boat"); // a class neither in the truth nor predicted: IoU undefined
    Files.writeString(result, json.encode());
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    assertEquals(1, out.contents().results().results().size(), out.contents().skipped().toString());
    assertEquals(Map.of("sky", 0.9), out.contents().results().results().get(0).perClassIoU());
  }

  @Test
  void clipAndMaeLossesAreDrawnOnSeparateAxes() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    f.pretrain("vit-grounded", 1, new double[] {4.0, 2.0, 1.5}, null, "clip");
    f.pretrain("vit-mae", 1, new double[] {0.9, 0.5, 0.47}, null, "mae");
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    assertTrue(out.contents().skipped().isEmpty(), out.contents().skipped().toString());
    Document clip = parse(new String(out.files().get("chart-loss-clip.svg"), StandardCharsets.UTF_8));
    Document mae = parse(new String(out.files().get("chart-loss-mae.svg"), StandardCharsets.UTF_8));
    assertTrue(out.files().containsKey("chart-logit_scale-clip.svg"));
    assertTrue(!out.files().containsKey("chart-logit_scale-mae.svg"), "an MAE run has no logit scale (NaN in its loss.csv)");
    assertEquals(1, clip.getElementsByTagName("polyline").getLength());
    assertEquals(1, mae.getElementsByTagName("polyline").getLength());
    assertTrue(clip.getElementsByTagName("polyline").item(0).getTextContent().contains("vit-grounded"));
    assertTrue(mae.getElementsByTagName("polyline").item(0).getTextContent().contains("vit-mae"));
  }

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
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
    f.inputs.add(new ReportBuilder.Input("evaluate", "gone", missing, dev.recap.bus.OutputKind.RUN_RESULT));

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
  void testResamplingStandardErrorsAreAveragedOverSeedsAndShownBesideTheSeedSpread() throws Exception {
    ResultFixture f = new ResultFixture(dir);
    for (int seed = 1; seed <= 2; seed++) {
      Path file = f.result("evaluate", "vit-grounded", "vit", "grounded", seed, "frozen", "segmentation", 1.0,
          Map.of("mIoU", 0.40 + seed / 100.0), Map.of(), 1);
      io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(Files.readString(file));
      json.put("bootstrap", new io.vertx.core.json.JsonObject().put("resamples", 200).put("images", 96).put("seed", 1)
          .put("standardErrors", new io.vertx.core.json.JsonObject().put("mIoU", seed == 1 ? 0.010 : 0.014)));
      Files.writeString(file, json.encode());
    }
    ReportBuilder.Output out = ReportBuilder.build("t", f.inputs, ResultFixture.defaults());
    assertEquals(0.012, out.contents().results().testStandardError("vit-grounded", "frozen", 1.0, "mIoU").orElseThrow(), 1e-12);
    String md = new String(out.files().get("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("| 0.4150 ± 0.0071 (n=2) test SE 0.0120 |"), md);

    Path bad = f.raw("evaluate", "bad", "{\"run\":\"a\",\"seed\":1,\"protocol\":\"frozen\",\"task\":\"depth\","
        + "\"metrics\":{\"rmse\":1},\"bootstrap\":{\"standardErrors\":{\"rmse\":\"small\"}}}");
    ReportInputException e = assertThrows(ReportInputException.class,
        () -> ResultFiles.readResult(bad, "evaluate", "bad", s -> {}));
    assertEquals("bootstrap.standardErrors.rmse", e.field());
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
