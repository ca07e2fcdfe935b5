package dev.recap.coordinator.web;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.coordinator.plan.TaskOutputs;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the results table the console draws from the result JSON each finished task sent the
 * coordinator (docs/results.md), and resolves artifact URLs to files. Nothing here reads a
 * task's result from disk. Only files a task of the job declared as outputs are ever served: a
 * URL names {@code <stage>/<task>/<file>} and is looked up among the declared outputs, never
 * resolved against the file system, so no path in a URL can reach another file.
 */
public final class JobResults {

  /** The file a task's result JSON is also written to, by the worker. */
  public static final String RESULT_FILE = "result.json";

  static final long MAX_RESULT_BYTES = 1 << 20;

  private final String jobId;
  private final Map<String, TaskOutputs> tasks;

  /**
   * @param tasks what the job's finished tasks declared and reported, by task id
   *     ({@code job/stage/name}), as {@code Coordinator.taskOutputs} gives them
   */
  public JobResults(String jobId, Map<String, TaskOutputs> tasks) {
    this.jobId = jobId;
    this.tasks = tasks;
  }

  /**
   * The results table: {@code {columns: [metric names, first seen first], rows: [{run, encoder,
   * captions, seed, protocol, fraction, task, metrics, perClassIoU, taskId}], images: [{run, kind, url,
   * taskId}], problems: [{taskId, file, message}], report: {html, md, csv, json, headline}}}; {@code report}
   * holds the artifact URLs of the files a report task declared, and is absent without one. A result that does not follow the convention is
   * listed under problems ({@code file}: the task's declared run-result), not dropped silently.
   */
  public JsonObject table() {
    Set<String> columns = new LinkedHashSet<>();
    JsonArray rows = new JsonArray();
    JsonArray images = new JsonArray();
    JsonArray problems = new JsonArray();
    for (Map.Entry<String, TaskOutputs> task : tasks.entrySet()) {
      String json = task.getValue().result();
      List<DeclaredOutput> files = task.getValue().ofKind(OutputKind.RUN_RESULT);
      if (json == null || files.isEmpty() && !task.getValue().declared().isEmpty()) {
        continue; // no result, or one that is not a run's (a data stage's data-summary)
      }
      String file = files.isEmpty() ? RESULT_FILE : files.get(0).getPath();
      JsonObject result;
      try {
        result = read(json);
      } catch (DecodeException | IllegalArgumentException e) {
        problems.add(new JsonObject().put("taskId", task.getKey()).put("file", file).put("message", e.getMessage()));
        continue;
      }
      JsonObject metrics = result.getJsonObject("metrics", new JsonObject());
      columns.addAll(metrics.fieldNames());
      String run = result.getString("run");
      rows.add(new JsonObject().put("run", run).put("encoder", result.getValue("encoder"))
          .put("captions", result.getValue("captions")).put("seed", result.getValue("seed"))
          .put("protocol", result.getValue("protocol")).put("fraction", result.getValue("fraction"))
          .put("task", result.getValue("task"))
          .put("metrics", metrics).put("perClassIoU", result.getJsonObject("perClassIoU", new JsonObject()))
          .put("taskId", task.getKey()));
      for (Object o : result.getJsonArray("images", new JsonArray())) {
        JsonObject image = (JsonObject) o;
        String name = image.getString("file");
        if (declared(task.getKey(), name) == null) {
          problems.add(new JsonObject().put("taskId", task.getKey()).put("file", file)
              .put("message", "images[].file '" + name + "' is not an output the task declared; write it with the task's ArtifactStore"));
          continue;
        }
        images.add(new JsonObject().put("run", run).put("kind", image.getString("kind")).put("taskId", task.getKey())
            .put("url", url(task.getKey(), name)));
      }
    }
    JsonObject table = new JsonObject().put("columns", new JsonArray(new ArrayList<>(columns))).put("rows", rows)
        .put("images", images).put("problems", problems);
    JsonObject report = reportLinks();
    if (!report.isEmpty()) {
      table.put("report", report);
    }
    return table;
  }

  /** The report's files by role, for the console's link and headline table (the last report task wins). */
  private JsonObject reportLinks() {
    Map<String, String> roles = Map.of("report.html", "html", "report.md", "md", "results.csv", "csv",
        "results.json", "json", "headline.json", "headline");
    JsonObject links = new JsonObject();
    for (Map.Entry<String, TaskOutputs> task : tasks.entrySet()) {
      for (DeclaredOutput d : task.getValue().ofKind(OutputKind.REPORT)) {
        Path name = Path.of(d.getPath()).getFileName();
        String role = name == null ? null : roles.get(name.toString());
        if (role != null) {
          links.put(role, url(task.getKey(), name.toString()));
        }
      }
    }
    return links;
  }

  /** Parses and checks one result JSON against the convention; the message names the field. */
  static JsonObject read(String json) {
    if (json.length() > MAX_RESULT_BYTES) {
      throw new IllegalArgumentException("larger than " + MAX_RESULT_BYTES + " bytes");
    }
    JsonObject r = new JsonObject(json);
    if (!(r.getValue("run") instanceof String run) || run.isBlank()) {
      throw new IllegalArgumentException("field 'run' must be a non-empty string");
    }
    if (!(r.getValue("metrics") instanceof JsonObject metrics)) {
      throw new IllegalArgumentException("field 'metrics' must be an object of name: number");
    }
    for (String name : metrics.fieldNames()) {
      if (!(metrics.getValue(name) instanceof Number)) {
        throw new IllegalArgumentException("metrics." + name + " must be a number, got " + metrics.getValue(name));
      }
    }
    Object perClass = r.getValue("perClassIoU");
    if (perClass != null && !(perClass instanceof JsonObject)) {
      throw new IllegalArgumentException("field 'perClassIoU' must be an object of class: number");
    }
    Object seed = r.getValue("seed");
    if (seed != null && !(seed instanceof Number)) {
      throw new IllegalArgumentException("field 'seed' must be an integer");
    }
    Object images = r.getValue("images");
    if (images != null) {
      if (!(images instanceof JsonArray list)) {
        throw new IllegalArgumentException("field 'images' must be a list of {kind, file}");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject image) || !(image.getValue("file") instanceof String)) {
          throw new IllegalArgumentException("images[" + i + "] must be {kind, file} with a file name");
        }
      }
    }
    return r;
  }

  /** The artifact URL of {@code file} written by task {@code taskId}. */
  String url(String taskId, String file) {
    String rest = taskId.substring(jobId.length() + 1);
    String[] stageTask = rest.split("/", 2);
    return "/api/jobs/" + enc(jobId) + "/artifacts/" + enc(stageTask[0]) + "/" + enc(stageTask[1]) + "/" + enc(file);
  }

  /**
   * The file behind {@code <stage>/<task>/<file>}, or null unless it is a regular file the task
   * {@code job/stage/task} declared as an output.
   */
  public Path artifact(String stage, String task, String file) {
    return artifact(jobId + "/" + stage + "/" + task, file);
  }

  private Path artifact(String taskId, String file) {
    Path p = declared(taskId, file);
    return p != null && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
  }

  /** The output named {@code file} (a plain name) that task {@code taskId} declared, or null. */
  private Path declared(String taskId, String file) {
    if (file == null || file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..") || file.equals(".")) {
      return null;
    }
    for (String ref : tasks.getOrDefault(taskId, TaskOutputs.NONE).paths()) {
      Path p = Path.of(ref);
      if (p.getFileName() != null && p.getFileName().toString().equals(file)) {
        return p;
      }
    }
    return null;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
