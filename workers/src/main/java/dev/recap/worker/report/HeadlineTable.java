package dev.recap.worker.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The report's first table: one row per run, one column per metric the claims rest on (probe
 * mIoU and RMSE, finetuning at the low fraction and at 100%, retrieval R@1, zero-shot top-1), each cell the mean ±
 * sample std over seeds, the best mean of every column marked. Columns no run has are left out;
 * the seed counts are stated once, in the caption, instead of in every cell.
 */
public record HeadlineTable(String caption, List<Column> columns, List<Row> rows) {

  /** One column: its heading and where its numbers come from. */
  public record Column(String heading, String protocol, double fraction, String metric) {}

  /** One run's cells (absent: no result) and which of them is its column's best. */
  public record Row(String run, List<Optional<Summary>> cells, List<Boolean> best) {}

  /** The headline of a job's results for the runs and settings its claims name. */
  public static HeadlineTable of(ExperimentResults results, ClaimCheck.Settings s) {
    String probe = s.probeProtocol();
    String tune = s.finetuneProtocol();
    int low = (int) Math.round(s.lowFraction() * 100);
    List<Column> candidates = List.of(
        new Column("probe mIoU ↑", probe, 1.0, "mIoU"),
        new Column("probe RMSE ↓", probe, 1.0, "rmse"),
        new Column(tune + " " + low + "% mIoU ↑", tune, s.lowFraction(), "mIoU"),
        new Column(tune + " 100% mIoU ↑", tune, 1.0, "mIoU"),
        new Column(tune + " " + low + "% RMSE ↓", tune, s.lowFraction(), "rmse"),
        new Column(tune + " 100% RMSE ↓", tune, 1.0, "rmse"),
        new Column("retrieval R@1 ↑", "retrieval", 1.0, "r1"),
        new Column("zero-shot top-1 ↑", "zeroshot", 1.0, "top1"));
    List<Column> columns = new ArrayList<>();
    for (Column c : candidates) {
      if (results.runs().stream().anyMatch(r -> results.summary(r.run(), c.protocol(), c.fraction(), c.metric()).isPresent())) {
        columns.add(c);
      }
    }
    TreeSet<Integer> seeds = new TreeSet<>();
    List<Row> rows = new ArrayList<>();
    for (ExperimentResults.RunInfo run : results.runs()) {
      List<Optional<Summary>> cells = new ArrayList<>();
      for (Column c : columns) {
        Optional<Summary> summary = results.summary(run.run(), c.protocol(), c.fraction(), c.metric());
        summary.ifPresent(v -> seeds.add(v.n()));
        cells.add(summary);
      }
      if (cells.stream().anyMatch(Optional::isPresent)) {
        rows.add(new Row(run.run(), cells, new ArrayList<>()));
      }
    }
    for (int k = 0; k < columns.size(); k++) {
      boolean higher = ExperimentResults.higherIsBetter(columns.get(k).metric());
      double best = Double.NaN;
      for (Row r : rows) {
        if (r.cells().get(k).isPresent()) {
          double m = r.cells().get(k).get().mean();
          best = Double.isNaN(best) || (higher ? m > best : m < best) ? m : best;
        }
      }
      for (Row r : rows) {
        r.best().add(r.cells().get(k).isPresent() && r.cells().get(k).get().mean() == best);
      }
    }
    String n = seeds.isEmpty() ? "no results" : seeds.size() == 1 ? "n = " + seeds.first() + " seed" + (seeds.first() == 1 ? "" : "s")
        : "n = " + seeds.first() + " to " + seeds.last() + " seeds";
    String caption = "Mean ± sample std over seeds (" + n + "); the best mean of each column is marked. mIoU is a fraction,"
        + " RMSE in the depth unit of the data, R@1 a fraction of held-out pairs"
        + (columns.stream().anyMatch(c -> c.protocol().equals("zeroshot")) ? ", zero-shot top-1 a fraction of test images" : "")
        + ".";
    return new HeadlineTable(caption, List.copyOf(columns), List.copyOf(rows));
  }

  /** A cell without the seed count, which the caption states once. */
  static String cell(Optional<Summary> s) {
    if (s.isEmpty()) {
      return "—";
    }
    Summary v = s.get();
    return v.hasSpread() ? Numbers.format(v.mean()) + " ± " + Numbers.format(v.std()) : Numbers.format(v.mean());
  }

  /** The table in markdown, best cells in bold. */
  public String markdown() {
    StringBuilder md = new StringBuilder("| run |");
    columns.forEach(c -> md.append(' ').append(c.heading()).append(" |"));
    md.append("\n| --- |");
    columns.forEach(c -> md.append(" --- |"));
    md.append('\n');
    for (Row r : rows) {
      md.append("| ").append(r.run()).append(" |");
      for (int k = 0; k < columns.size(); k++) {
        String cell = cell(r.cells().get(k));
        md.append(' ').append(r.best().get(k) ? "**" + cell + "**" : cell).append(" |");
      }
      md.append('\n');
    }
    return md.append('\n').append(caption).append("\n\n").toString();
  }

  /**
   * The table as JSON ({@code headline.json} beside the report), for the console's Results page:
   * {@code {caption, columns: [{heading, protocol, fraction, metric}], rows: [{run, cells: [{mean,
   * std, n} | null], best: [boolean]}]}}; a std of one seed is null.
   */
  public String json() {
    JsonArray cols = new JsonArray();
    columns.forEach(c -> cols.add(new JsonObject().put("heading", c.heading()).put("protocol", c.protocol())
        .put("fraction", c.fraction()).put("metric", c.metric())));
    JsonArray rowsJson = new JsonArray();
    for (Row r : rows) {
      JsonArray cells = new JsonArray();
      r.cells().forEach(cell -> cells.add(cell.map(v -> new JsonObject().put("mean", v.mean())
          .put("std", v.hasSpread() ? v.std() : null).put("n", v.n())).orElse(null)));
      rowsJson.add(new JsonObject().put("run", r.run()).put("cells", cells).put("best", new JsonArray(r.best())));
    }
    return new JsonObject().put("caption", caption).put("columns", cols).put("rows", rowsJson).encodePrettily() + "\n";
  }

  /** The table in html, best cells with class {@code best}; cells carry their metric for tests and scripts. */
  public String html() {
    StringBuilder h = new StringBuilder("<table class=\"headline\">\n<tr><th>run</th>");
    columns.forEach(c -> h.append("<th>").append(HtmlReport.esc(c.heading())).append("</th>"));
    h.append("</tr>\n");
    for (Row r : rows) {
      h.append("<tr><td>").append(HtmlReport.esc(r.run())).append("</td>");
      for (int k = 0; k < columns.size(); k++) {
        Column c = columns.get(k);
        h.append("<td data-run=\"").append(HtmlReport.esc(r.run())).append("\" data-protocol=\"").append(c.protocol())
            .append("\" data-fraction=\"").append(c.fraction()).append("\" data-metric=\"").append(c.metric()).append('"');
        r.cells().get(k).ifPresent(v -> h.append(" data-mean=\"").append(v.mean()).append('"'));
        if (r.best().get(k)) {
          h.append(" class=\"best\"");
        }
        h.append('>').append(cell(r.cells().get(k))).append("</td>");
      }
      h.append("</tr>\n");
    }
    return h.append("</table>\n<p class=\"note\">").append(HtmlReport.esc(caption)).append("</p>\n").toString();
  }
}
