package dev.recap.worker.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Renders report.html: the same claims and tables as report.md, with charts drawn by Chart.js
 * ({@code chart.umd.min.js}, the console's vendored copy, written next to the html).
 */
public final class HtmlReport {

  /** The Chart.js file name next to report.html. */
  public static final String CHART_JS = "chart.umd.min.js";

  private HtmlReport() {}

  public static String render(ReportBuilder.Contents c, ReportCharts charts, SamplePredictions samples) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(c.title()))
        .append("</title>\n<script src=\"").append(CHART_JS).append("\"></script>\n<style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:1em 0;font-size:13px}")
        .append("td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th{text-align:left}")
        .append(".chart{width:720px;height:380px;display:inline-block;margin:1em}.holds{color:#1a7f37}")
        .append(".does-not-hold{color:#b42318}.not-shown,.not-evaluated{color:#8a6d00}img{max-width:320px;margin:4px}")
        .append("</style></head><body>\n");
    h.append("<h1>").append(esc(c.title())).append("</h1>\n<p>Built from ").append(c.results().results().size())
        .append(" result.json file(s) and ").append(c.curves().size())
        .append(" loss.csv file(s). Every number below comes from those files.</p>\n");
    if (!c.skipped().isEmpty()) {
      h.append("<h3>Skipped inputs (").append(c.skipped().size()).append(")</h3><ul>\n");
      c.skipped().forEach(s -> h.append("<li>").append(esc(s)).append("</li>\n"));
      h.append("</ul>\n");
    }
    h.append("<h2>Claims</h2>\n<p>").append(esc(ClaimCheck.rule(c.claimSettings().closeTolerance()))).append("</p>\n<ul>\n");
    for (ClaimCheck.Claim claim : c.claims()) {
      h.append("<li><b class=\"").append(claim.verdict().text().replace(' ', '-')).append("\">(").append(claim.id())
          .append(") ").append(claim.verdict().text()).append("</b>: ").append(esc(claim.statement())).append("<ul>");
      claim.evidence().forEach(e -> h.append("<li>").append(esc(e)).append("</li>"));
      h.append("</ul></li>\n");
    }
    h.append("</ul>\n<h2>Comparison</h2>\n");
    table(h, ReportTable.comparison(c.results()));
    ReportTable augmentation = ReportTable.pretrainAugmentation(c.results());
    if (!augmentation.rows().isEmpty()) {
      table(h, augmentation);
    }
    List<ReportTable> perClass = ReportTable.perClass(c.results());
    if (!perClass.isEmpty()) {
      h.append("<h2>Per-class IoU</h2>\n");
      perClass.forEach(t -> table(h, t));
    }
    h.append("<h2>Charts</h2>\n");
    JsonArray specs = new JsonArray();
    if (charts.lossFile() != null) {
      JsonArray datasets = new JsonArray();
      for (int i = 0; i < charts.curves().size(); i++) {
        LossCurve curve = charts.curves().get(i);
        JsonArray points = new JsonArray();
        for (int k = 0; k < curve.steps().size(); k++) {
          points.add(new JsonObject().put("x", curve.steps().get(k)).put("y", curve.losses().get(k)));
        }
        datasets.add(new JsonObject().put("label", curve.label()).put("data", points).put("borderColor", ChartPainter.hex(i))
            .put("backgroundColor", ChartPainter.hex(i)).put("pointRadius", 0).put("borderWidth", 1.5));
      }
      specs.add(new JsonObject().put("type", "line").put("data", new JsonObject().put("datasets", datasets))
          .put("options", options("Pretraining loss", "step", "loss", true)));
    }
    for (ReportCharts.BarChart bar : charts.barCharts()) {
      JsonArray labels = new JsonArray();
      JsonArray data = new JsonArray();
      JsonArray colors = new JsonArray();
      JsonArray spread = new JsonArray();
      for (int i = 0; i < bar.bars().size(); i++) {
        labels.add(bar.bars().get(i).label());
        data.add(bar.bars().get(i).value());
        colors.add(ChartPainter.hex(i));
        spread.add(Numbers.format(bar.bars().get(i).error()));
      }
      specs.add(new JsonObject().put("type", "bar").put("spread", spread).put("data", new JsonObject().put("labels", labels)
          .put("datasets", new JsonArray().add(new JsonObject().put("label", bar.metric()).put("data", data)
              .put("backgroundColor", colors)))).put("options", options(bar.title() + "; sample std in the tooltip", "run", bar.metric(), false)));
    }
    for (int i = 0; i < specs.size(); i++) {
      h.append("<div class=\"chart\"><canvas id=\"chart-").append(i).append("\"></canvas></div>\n");
    }
    h.append("<script>\nconst specs = ").append(specs.encode().replace("</", "<\\/")).append(";\n")
        .append("specs.forEach((s, i) => {\n")
        .append("  if (s.spread) { s.options.plugins.tooltip = {callbacks: {afterLabel: c => 'sample std ' + s.spread[c.dataIndex]}}; }\n")
        .append("  new Chart(document.getElementById('chart-' + i), {type: s.type, data: s.data, options: s.options});\n")
        .append("});\n</script>\n");
    h.append("<h2>Sample predictions</h2>\n<p>The images listed in the results, of the lowest seed of each run, setting and task.</p>\n");
    if (samples.names().isEmpty()) {
      h.append("<p>No prediction images were listed in the results.</p>\n");
    }
    for (RunResult r : c.results().results()) {
      for (RunResult.PredictionImage image : r.images()) {
        String name = samples.names().get(image.file());
        if (name != null) {
          String caption = r.run() + " seed " + r.seed() + ", " + r.protocol() + " @ " + Math.round(r.fraction() * 100)
              + "%, " + image.kind();
          h.append("<figure style=\"display:inline-block\"><img src=\"").append(esc(name)).append("\" alt=\"")
              .append(esc(caption)).append("\"><figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
        }
      }
    }
    h.append("<h2>Wall time per stage</h2>\n");
    if (c.stageTimes().isEmpty()) {
      h.append("<p>Not recorded: no input result.json has a wallSeconds field.</p>\n");
    } else {
      table(h, ReportTable.wallTimes(c.stageTimes()));
    }
    return h.append("</body></html>\n").toString();
  }

  private static JsonObject options(String title, String x, String y, boolean linearX) {
    JsonObject xAxis = new JsonObject().put("title", new JsonObject().put("display", true).put("text", x));
    if (linearX) {
      xAxis.put("type", "linear");
    }
    return new JsonObject().put("responsive", true).put("maintainAspectRatio", false).put("animation", false)
        .put("plugins", new JsonObject().put("title", new JsonObject().put("display", true).put("text", title))
            .put("legend", new JsonObject().put("display", linearX)))
        .put("scales", new JsonObject().put("x", xAxis)
            .put("y", new JsonObject().put("title", new JsonObject().put("display", true).put("text", y))));
  }

  private static void table(StringBuilder h, ReportTable t) {
    h.append("<table><caption>").append(esc(t.caption())).append("</caption>\n<tr>");
    t.header().forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
    h.append("</tr>\n");
    for (List<String> row : t.rows()) {
      h.append("<tr>");
      row.forEach(c -> h.append("<td>").append(esc(c)).append("</td>"));
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
