package dev.recap.worker.report;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the data stages of a job made of their input ({@code data-summary} outputs): samples read,
 * kept for training, held out, with a trusted caption, and skipped by reason. The report shows
 * them as one table, so a reader sees how much of the data the numbers rest on.
 */
public final class DataSummaries {

  /** One data stage's summary. */
  public record Summary(String stage, long shards, long samples, long kept, long training, long heldOut, long reference,
      Map<String, Long> skipped, String smallest, String largest) {}

  private DataSummaries() {}

  /** Reads one summary file; a file that cannot be used throws, naming the file and field. */
  static Summary read(Path file, String stage) throws ReportInputException {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ReportInputException(file, null, "cannot read: " + e.getMessage());
    } catch (DecodeException e) {
      throw new ReportInputException(file, null, "not a JSON object: " + e.getMessage());
    }
    Map<String, Long> skipped = new TreeMap<>();
    JsonObject reasons = json.getJsonObject("skipped", new JsonObject());
    for (String reason : reasons.fieldNames()) {
      if (!(reasons.getValue(reason) instanceof Number n)) {
        throw new ReportInputException(file, "skipped." + reason, "must be a count, got " + reasons.getValue(reason));
      }
      skipped.put(reason, n.longValue());
    }
    JsonObject sizes = json.getJsonObject("imageSizes", new JsonObject());
    return new Summary(stage, json.getJsonArray("shards", new io.vertx.core.json.JsonArray()).size(), count(file, json, "samples"),
        count(file, json, "kept"), count(file, json, "training"), count(file, json, "heldOut"), count(file, json, "reference"),
        skipped, sizes.getString("smallest", "—"), sizes.getString("largest", "—"));
  }

  private static long count(Path file, JsonObject json, String field) throws ReportInputException {
    if (!(json.getValue(field) instanceof Number n)) {
      throw new ReportInputException(file, field, "must be a count, got " + json.getValue(field));
    }
    return n.longValue();
  }

  /** The report's data table: a row per data stage. */
  static ReportTable table(List<Summary> summaries) {
    List<List<String>> rows = new ArrayList<>();
    for (Summary s : summaries) {
      long skipped = s.skipped().values().stream().mapToLong(Long::longValue).sum();
      List<String> reasons = new ArrayList<>();
      s.skipped().forEach((reason, n) -> reasons.add(reason.toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + n));
      rows.add(List.of(s.stage(), String.valueOf(s.shards()), String.valueOf(s.samples()), String.valueOf(s.kept()),
          String.valueOf(s.training()), String.valueOf(s.heldOut()), String.valueOf(s.reference()),
          skipped == 0 ? "0" : skipped + " (" + String.join(", ", reasons) + ")", s.smallest() + " to " + s.largest()));
    }
    return new ReportTable("Data: samples each data stage read, kept (training, held out for retrieval, with a trusted caption)"
        + " and skipped by reason (the stage's skipped.csv lists every one)",
        List.of("stage", "shards", "samples read", "kept", "training", "held out", "reference", "skipped", "image sizes"), rows);
  }
}
