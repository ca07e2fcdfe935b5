package dev.recap.worker.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Every result of a job as flat rows for a spreadsheet or pandas: one row per (run, seed,
 * protocol, fraction, task), with what the run is and every metric it reported
 * ({@code results.csv}, and the same rows in {@code results.json}).
 */
public final class ResultRows {

  private static final List<String> KEYS = List.of("run", "encoder", "captions", "objective", "seed", "protocol",
      "fraction", "task", "head", "parameters", "wallSeconds", "pairsSeen", "snapshot");

  private ResultRows() {}

  /** The metric names of all rows, sorted: the csv's metric columns. */
  static List<String> metricNames(List<RunResult> results) {
    TreeSet<String> names = new TreeSet<>();
    results.forEach(r -> names.addAll(r.metrics().keySet()));
    return List.copyOf(names);
  }

  /** RFC 4180 csv: a header, then one line per result; an absent metric is an empty cell. */
  public static String csv(List<RunResult> results) {
    List<String> metrics = metricNames(results);
    StringBuilder csv = new StringBuilder(String.join(",", KEYS));
    metrics.forEach(m -> csv.append(',').append(quote(m)));
    csv.append("\r\n");
    for (RunResult r : results) {
      List<String> cells = new ArrayList<>(List.of(r.run(), r.encoder(), r.captions(), r.objective(),
          String.valueOf(r.seed()), r.protocol(), number(r.fraction()), r.kind(), r.head() == null ? "" : r.head(),
          r.parameters() == null ? "" : String.valueOf(r.parameters()),
          r.wallSeconds() == null ? "" : number(r.wallSeconds()), r.pairsSeen() == null ? "" : String.valueOf(r.pairsSeen()),
          String.valueOf(r.snapshot())));
      for (String m : metrics) {
        Double v = r.metrics().get(m);
        cells.add(v == null ? "" : number(v));
      }
      csv.append(String.join(",", cells.stream().map(ResultRows::quote).toList())).append("\r\n");
    }
    return csv.toString();
  }

  /** The same rows as a JSON array of objects, metrics and per-class IoU nested. */
  public static String json(List<RunResult> results) {
    JsonArray rows = new JsonArray();
    for (RunResult r : results) {
      JsonObject row = new JsonObject().put("run", r.run()).put("encoder", r.encoder()).put("captions", r.captions())
          .put("objective", r.objective()).put("seed", r.seed()).put("protocol", r.protocol())
          .put("fraction", r.fraction()).put("task", r.kind()).put("head", r.head()).put("parameters", r.parameters())
          .put("wallSeconds", r.wallSeconds()).put("pairsSeen", r.pairsSeen()).put("snapshot", r.snapshot());
      JsonObject metrics = new JsonObject();
      r.metrics().forEach((k, v) -> metrics.put(k, Double.isFinite(v) ? v : null));
      JsonObject perClass = new JsonObject();
      r.perClassIoU().forEach((k, v) -> perClass.put(k, Double.isFinite(v) ? v : null));
      rows.add(row.put("metrics", metrics).put("perClassIoU", perClass));
    }
    return rows.encodePrettily() + "\n";
  }

  /** Shortest decimal that reads back as the same double (pandas and spreadsheets parse it); non-finite: empty. */
  private static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "";
  }

  private static String quote(String cell) {
    return cell.contains(",") || cell.contains("\"") || cell.contains("\n") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
  }
}
