package dev.recap.worker.report;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the report's inputs: {@code result.json} and {@code loss.csv} (docs/results.md). A file that
 * cannot be used throws {@link ReportInputException} naming the file and field; smaller problems
 * (a listed image that is missing) go to the {@code skipped} consumer and the rest is kept.
 */
public final class ResultFiles {

  private ResultFiles() {}

  /** Reads one result.json written by {@code task} of {@code stage}. */
  public static RunResult readResult(Path file, String stage, String task, Consumer<String> skipped)
      throws ReportInputException {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new ReportInputException(file, null, "file does not exist");
    } catch (IOException e) {
      throw new ReportInputException(file, null, "cannot read: " + e.getMessage());
    } catch (DecodeException e) {
      throw new ReportInputException(file, null, "not a JSON object: " + e.getMessage());
    }
    String run = requiredString(file, json, "run");
    long seed = (long) number(file, json.getValue("seed"), "seed", true);
    String protocol = requiredString(file, json, "protocol");
    String kind = requiredString(file, json, "task");
    String captions = optionalString(file, json, "captions", "");
    String objective = optionalString(file, json, "objective",
        captions.equals("mae") || captions.equals("none") ? captions : "clip");
    double fraction = json.containsKey("fraction") ? number(file, json.getValue("fraction"), "fraction", true) : 1.0;
    if (!(fraction > 0 && fraction <= 1)) {
      throw new ReportInputException(file, "fraction", "must be in (0, 1], got " + fraction);
    }
    Long parameters = json.getValue("parameters") == null ? null
        : (long) number(file, json.getValue("parameters"), "parameters", true);
    Long pairsSeen = json.getValue("pairsSeen") == null ? null
        : (long) number(file, json.getValue("pairsSeen"), "pairsSeen", true);
    Double wall = json.getValue("wallSeconds") == null ? null : number(file, json.getValue("wallSeconds"), "wallSeconds", true);
    Map<String, Double> metrics = numberMap(file, json, "metrics", true);
    Map<String, Double> perClass = numberMap(file, json, "perClassIoU", false);
    Map<String, Double> standardErrors = Map.of();
    Object bootstrap = json.getValue("bootstrap");
    if (bootstrap != null) {
      if (!(bootstrap instanceof JsonObject b)) {
        throw new ReportInputException(file, "bootstrap", "must be an object {resamples, images, seed, standardErrors}, got "
            + bootstrap);
      }
      standardErrors = numberMap(file, b, "bootstrap", "standardErrors", false);
    }
    List<RunResult.PredictionImage> images = new ArrayList<>();
    Object imagesValue = json.getValue("images");
    if (imagesValue != null && !(imagesValue instanceof JsonArray)) {
      throw new ReportInputException(file, "images", "must be a list of {kind, file}, got " + imagesValue);
    }
    JsonArray list = imagesValue == null ? new JsonArray() : (JsonArray) imagesValue;
    for (int i = 0; i < list.size(); i++) {
      String field = "images[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject image) || !(image.getValue("file") instanceof String name)) {
        skipped.accept(file + ": field '" + field + "': not an object with a string 'file'; image left out");
        continue;
      }
      Path resolved = file.resolveSibling(name);
      if (!Files.isRegularFile(resolved)) {
        skipped.accept(file + ": field '" + field + ".file': " + resolved + " does not exist; image left out");
        continue;
      }
      images.add(new RunResult.PredictionImage(image.getValue("kind") instanceof String k ? k : kind, resolved));
    }
    return new RunResult(file, stage, task, run, optionalString(file, json, "encoder", ""), captions, objective, seed,
        protocol, kind, optionalString(file, json, "head", ""), fraction, parameters, metrics, perClass,
        List.copyOf(images), wall, standardErrors, optionalString(file, json, "augment", ""), pairsSeen,
        Boolean.TRUE.equals(json.getValue("snapshot")), code(file, json, skipped));
  }

  /** The {@code code} list (the plugin jars the task ran); malformed entries are left out and said so. */
  private static List<RunResult.PluginCode> code(Path file, JsonObject json, java.util.function.Consumer<String> skipped) {
    if (!(json.getValue("code") instanceof JsonArray list)) {
      return List.of();
    }
    List<RunResult.PluginCode> code = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (list.getValue(i) instanceof JsonObject c && c.getValue("plugin") instanceof String plugin
          && c.getValue("sha256") instanceof String sha) {
        code.add(new RunResult.PluginCode(plugin, c.getValue("version") instanceof String v ? v : "", sha));
      } else {
        skipped.accept(file + ": field 'code[" + i + "]': not an object with string 'plugin' and 'sha256'; left out");
      }
    }
    return List.copyOf(code);
  }

  /** Reads one loss.csv: a header naming {@code step} and {@code loss}, then one row per step. */
  public static LossCurve readLoss(Path file, String stage, String task, String label, String objective, String run)
      throws ReportInputException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ReportInputException(file, null, "file does not exist");
    } catch (IOException e) {
      throw new ReportInputException(file, null, "cannot read: " + e.getMessage());
    }
    if (lines.isEmpty()) {
      throw new ReportInputException(file, null, "empty; expected a header 'step,loss,...'");
    }
    List<String> header = List.of(lines.get(0).trim().split(","));
    int stepColumn = header.indexOf("step");
    int lossColumn = header.indexOf("loss");
    if (stepColumn < 0 || lossColumn < 0) {
      throw new ReportInputException(file, "header", "must name the columns 'step' and 'loss', got '" + lines.get(0) + "'");
    }
    List<Double> steps = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    Map<String, List<Double>> extra = new LinkedHashMap<>();
    for (String column : LossCurve.TRACKED) {
      if (header.contains(column)) {
        extra.put(column, new ArrayList<>());
      }
    }
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      steps.add(cell(file, cells, stepColumn, "step", i + 1));
      losses.add(cell(file, cells, lossColumn, "loss", i + 1));
      for (Map.Entry<String, List<Double>> e : extra.entrySet()) {
        // an optional column is drawn only where every row has a number: an MAE run writes NaN as
        // its logit scale, and that must not cost the loss curve itself
        int column = header.indexOf(e.getKey());
        Double v = column < cells.length ? parseOrNull(cells[column]) : null;
        e.getValue().add(v == null ? Double.NaN : v);
      }
    }
    if (steps.isEmpty()) {
      throw new ReportInputException(file, null, "has a header but no rows");
    }
    Map<String, List<Double>> columns = new LinkedHashMap<>();
    extra.forEach((k, v) -> {
      if (v.stream().allMatch(Double::isFinite)) {
        columns.put(k, List.copyOf(v));
      }
    });
    return new LossCurve(file, stage, task, label, objective, run, List.copyOf(steps), List.copyOf(losses),
        Map.copyOf(columns));
  }

  private static Double parseOrNull(String cell) {
    try {
      double v = Double.parseDouble(cell.trim());
      return Double.isFinite(v) ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static double cell(Path file, String[] cells, int column, String name, int lineNumber)
      throws ReportInputException {
    String field = name + " (line " + lineNumber + ")";
    if (column >= cells.length) {
      throw new ReportInputException(file, field, "missing: the line has only " + cells.length + " cells");
    }
    try {
      double v = Double.parseDouble(cells[column].trim());
      if (!Double.isFinite(v)) {
        throw new ReportInputException(file, field, "not a finite number: '" + cells[column] + "'");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ReportInputException(file, field, "not a number: '" + cells[column] + "'");
    }
  }

  private static String requiredString(Path file, JsonObject json, String field) throws ReportInputException {
    Object v = json.getValue(field);
    if (v == null) {
      throw new ReportInputException(file, field, "missing (required, a string)");
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new ReportInputException(file, field, "must be a non-empty string, got " + v);
    }
    return s;
  }

  private static String optionalString(Path file, JsonObject json, String field, String dflt) throws ReportInputException {
    Object v = json.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new ReportInputException(file, field, "must be a string, got " + v);
    }
    return s;
  }

  private static double number(Path file, Object v, String field, boolean required) throws ReportInputException {
    if (v == null) {
      throw new ReportInputException(file, field, "missing (required, a number)");
    }
    if (!(v instanceof Number n)) {
      throw new ReportInputException(file, field, "must be a number, got " + (v instanceof String ? "'" + v + "'" : v));
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d)) {
      throw new ReportInputException(file, field, "must be a finite number, got " + d);
    }
    return d;
  }

  private static Map<String, Double> numberMap(Path file, JsonObject json, String field, boolean required)
      throws ReportInputException {
    return numberMap(file, json, null, field, required);
  }

  /** A field of numbers; {@code parent} (or null) prefixes the field's name in errors. */
  private static Map<String, Double> numberMap(Path file, JsonObject json, String parent, String key, boolean required)
      throws ReportInputException {
    String field = parent == null ? key : parent + "." + key;
    Object v = json.getValue(key);
    if (v == null) {
      if (required) {
        throw new ReportInputException(file, field, "missing (required, an object of numbers)");
      }
      return Map.of();
    }
    if (!(v instanceof JsonObject object)) {
      throw new ReportInputException(file, field, "must be an object of numbers, got " + v);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String name : object.fieldNames()) {
      if (!required && object.getValue(name) == null) {
        continue; // undefined, e.g. the IoU of a class neither in the truth nor in the prediction
      }
      out.put(name, number(file, object.getValue(name), field + "." + name, true));
    }
    return out;
  }
}
