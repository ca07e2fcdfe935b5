package dev.recap.worker.report;

import java.util.Base64;
import java.util.List;

/**
 * Renders report.html, in the same order as report.md: the claims read in words and the headline
 * table first, then the charts (the same SVG markup as the files report.md links, inlined), the
 * prediction grid, and everything else in collapsible sections. One self-contained file (images
 * as data URIs), no script; wide tables scroll inside their own box so the page never scrolls
 * sideways.
 */
public final class HtmlReport {

  private static final String STYLE = "body{font-family:sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}"
      + "table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
      + "text-align:right;white-space:nowrap}td:first-child,th{text-align:left}caption{caption-side:bottom;text-align:left;"
      + "font-size:12px;color:#555;padding-top:4px}.headline{font-size:15px}.headline td.best{font-weight:bold;"
      + "background:#e8f5e9}.scroll{overflow-x:auto;max-width:100%}.chart{display:inline-block;margin:.5em;max-width:100%}"
      + ".chart svg{width:570px;max-width:100%;height:auto}.holds{color:#1a7f37}.does-not-hold{color:#b42318}"
      + ".not-shown,.not-evaluated{color:#8a6d00}.claims li{margin:.4em 0}.grid img{width:96px;height:96px;"
      + "image-rendering:pixelated}.grid td{text-align:center}details{margin:.6em 0}summary{cursor:pointer;font-weight:bold}"
      + "figure img{max-width:320px}.note{font-size:12px;color:#555;margin:.2em 0 1em}";

  private HtmlReport() {}

  public static String render(ReportBuilder.Contents c, HeadlineTable headline, ReportCharts charts, SamplePredictions samples,
      PredictionGrid.Grids grids) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" ")
        .append("content=\"width=device-width, initial-scale=1\"><title>").append(esc(c.title()))
        .append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
    h.append("<h1>").append(esc(c.title())).append("</h1>\n<p>Built from ").append(c.results().results().size())
        .append(" result.json file(s) and ").append(c.curves().size())
        .append(" loss.csv file(s); every number below comes from those files. All rows: ")
        .append("<a href=\"results.csv\">results.csv</a>, <a href=\"results.json\">results.json</a>.");
    if (!c.skipped().isEmpty()) {
      h.append(" <b>").append(c.skipped().size()).append(" input(s) were skipped</b> (listed at the end).");
    }
    h.append("</p>\n");
    if (c.assessment() != null) {
      assessment(h, c.assessment(), charts);
    } else {
      h.append("<h2>Claims</h2>\n<ul class=\"claims\">\n");
      for (ClaimCheck.Claim claim : c.claims()) {
        h.append("<li><b class=\"").append(claim.verdict().text().replace(' ', '-')).append("\">(").append(claim.id())
            .append(") ").append(claim.verdict().text()).append("</b>: ").append(esc(claim.statement())).append(". ")
            .append(esc(ClaimReading.of(claim))).append(' ').append(esc(claim.resolution())).append("</li>\n");
      }
      h.append("</ul>\n<p><small>").append(esc(ClaimCheck.rule(c.claimSettings().closeTolerance()))).append("</small></p>\n");
    }
    h.append("<h2>Headline</h2>\n<div class=\"scroll\">")
        .append(headline.html()).append("</div>\n");

    h.append("<h2>Charts</h2>\n");
    charts.headline().forEach(chart -> figure(h, charts, chart));
    charts.fractions().forEach(chart -> figure(h, charts, chart));
    List<ReportTable> alongTraining = ReportTable.alongTraining(c.results());
    if (!alongTraining.isEmpty()) {
      h.append("<h3>Along training</h3>\n");
      charts.alongTraining().forEach(chart -> figure(h, charts, chart));
      alongTraining.forEach(t -> table(h, t));
    }
    h.append("<h3>Training</h3>\n");
    if (charts.training().isEmpty()) {
      h.append("<p>No loss curves (no valid loss.csv).</p>\n");
    }
    charts.training().forEach(chart -> figure(h, charts, chart));

    h.append("<h2>Predictions side by side</h2>\n");
    if (grids.grids().isEmpty()) {
      h.append("<p>No prediction strips were listed in the results.</p>\n");
    }
    for (PredictionGrid grid : grids.grids()) {
      h.append("<div class=\"scroll\"><table class=\"grid\"><caption>").append(esc(grid.task())).append(", ")
          .append(esc(grid.setting().label())).append(" (lowest seed of each run)</caption>\n<tr>");
      grid.headings().forEach(x -> h.append("<th>").append(esc(x)).append("</th>"));
      h.append("</tr>\n");
      for (var row : grid.rows()) {
        h.append("<tr>");
        for (String cell : grid.cells(row)) {
          h.append("<td>").append(cell == null ? "—" : "<img src=\"" + dataUri(grids.files().get(cell)) + "\" alt=\""
              + esc(cell) + "\">").append("</td>");
        }
        h.append("</tr>\n");
      }
      h.append("</table></div>\n");
    }

    if (!c.data().isEmpty()) {
      h.append("<h2>Data</h2>\n<div class=\"scroll\">");
      table(h, DataSummaries.table(c.data()));
      h.append("</div>\n");
    }
    ReportTable code = ReportTable.code(c.results());
    if (!code.rows().isEmpty()) {
      h.append("<h2>Code</h2>\n<div class=\"scroll\">");
      table(h, code);
      h.append("</div>\n");
    }
    h.append("<h2>Everything else</h2>\n<details><summary>All metrics, every setting</summary><div class=\"scroll\">");
    table(h, ReportTable.comparison(c.results()));
    h.append("</div></details>\n");
    ReportTable augmentation = ReportTable.pretrainAugmentation(c.results());
    if (!augmentation.rows().isEmpty()) {
      h.append("<details><summary>Training augmentation</summary>");
      table(h, augmentation);
      h.append("</details>\n");
    }
    List<ReportTable> perClass = ReportTable.perClass(c.results());
    if (!perClass.isEmpty()) {
      h.append("<details><summary>Per-class IoU</summary><div class=\"scroll\">");
      perClass.forEach(t -> table(h, t));
      h.append("</div></details>\n");
    }
    h.append("<details><summary>Claims: every comparison</summary><ul>\n");
    for (ClaimCheck.Claim claim : c.claims()) {
      h.append("<li><b>(").append(claim.id()).append(") ").append(claim.verdict().text()).append("</b><ul>");
      claim.evidence().forEach(e -> h.append("<li>").append(esc(e)).append("</li>"));
      h.append("<li>").append(esc(claim.resolution())).append("</li>");
      h.append("</ul></li>\n");
    }
    h.append("</ul></details>\n");
    if (!charts.other().isEmpty()) {
      h.append("<details><summary>Charts of every other metric</summary>\n");
      charts.other().forEach(chart -> figure(h, charts, chart));
      h.append("</details>\n");
    }
    h.append("<details><summary>All sample prediction images</summary>\n");
    if (samples.names().isEmpty()) {
      h.append("<p>No prediction images were listed in the results.</p>\n");
    }
    for (RunResult r : c.results().results()) {
      for (RunResult.PredictionImage image : r.images()) {
        String name = samples.names().get(image.file());
        if (name != null) {
          String caption = r.run() + " seed " + r.seed() + ", " + r.protocol() + " @ " + Math.round(r.fraction() * 100)
              + "%, " + image.kind();
          h.append("<figure style=\"display:inline-block\"><img src=\"").append(dataUri(samples.files().get(name)))
              .append("\" alt=\"")
              .append(esc(caption)).append("\"><figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
        }
      }
    }
    h.append("</details>\n<details><summary>Wall time per stage</summary>\n");
    if (c.stageTimes().isEmpty()) {
      h.append("<p>Not recorded: no input result.json has a wallSeconds field.</p>\n");
    } else {
      table(h, ReportTable.wallTimes(c.stageTimes()));
    }
    h.append("</details>\n");
    if (!c.skipped().isEmpty()) {
      h.append("<h3>Skipped inputs (").append(c.skipped().size()).append(")</h3><ul>\n");
      c.skipped().forEach(s -> h.append("<li>").append(esc(s)).append("</li>\n"));
      h.append("</ul>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  /** Images go inside the page, so report.html is one file that shows whole wherever it is opened. */
  private static String dataUri(byte[] png) {
    return png == null ? "" : "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  /** The Assessment section, as report.md has it. */
  private static void assessment(StringBuilder h, Assessment a, ReportCharts charts) {
    h.append("<h2>Assessment</h2>\n<ul class=\"claims\">\n");
    if (a.verdicts().isEmpty()) {
      h.append("<li>No metric was measured on both caption sets: no verdict.</li>\n");
    }
    a.verdicts().forEach(v -> h.append("<li><b>").append(esc(v.text())).append("</b></li>\n"));
    h.append("</ul>\n<p><small>Each seed trains both CLIPs from the same initialization in the same data order, so the verdict"
        + " rests on the per-seed differences: their mean and its 95% Student t-interval over the seeds. An effect smaller than"
        + " the interval's half-width could not have been seen at this proxy size.</small></p>\n<div class=\"scroll\">");
    table(h, a.table());
    h.append("</div>\n");
    if (!charts.alongTraining().isEmpty()) {
      h.append("<h3>Along training</h3>\n");
      charts.alongTraining().forEach(chart -> figure(h, charts, chart));
    }
    if (!a.pairs().isEmpty()) {
      h.append("<h3>").append(a.pairs().size()).append(" caption pairs</h3>\n<div class=\"scroll\"><table><tr><th>image</th>")
          .append("<th>original</th><th>recaptioned</th></tr>\n");
      for (Assessment.CaptionPair p : a.pairs()) {
        h.append("<tr><td>");
        if (p.thumbnail() != null) {
          h.append("<img alt=\"\" src=\"").append(dataUri(a.files().get(p.thumbnail()))).append("\">");
        }
        h.append("</td><td>").append(esc(p.original())).append("</td><td>")
            .append(esc(p.recaptioned() == null ? "—" : p.recaptioned())).append("</td></tr>\n");
      }
      h.append("</table></div>\n");
    }
    if (!a.cost().isEmpty()) {
      h.append("<h3>Cost, measured in this run</h3>\n<ul>\n");
      a.cost().forEach(line -> h.append("<li>").append(esc(line)).append("</li>\n"));
      h.append("</ul>\n");
    }
    if (!a.notes().isEmpty()) {
      h.append("<h3>This run</h3>\n<ul>\n");
      a.notes().forEach(line -> h.append("<li>").append(esc(line)).append("</li>\n"));
      h.append("</ul>\n");
    }
  }

  private static void figure(StringBuilder h, ReportCharts charts, ReportCharts.Chart chart) {
    h.append("<figure class=\"chart\">").append(charts.svgs().get(chart.file())).append("</figure>\n");
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
