package dev.recap.coordinator.web;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
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
 * Reads the {@code result.json} files a job's tasks wrote (docs/results.md) into the results
 * table the console draws, and resolves artifact URLs to files. Only files a task of the job
 * reported as an output are ever read or served: a URL names {@code <stage>/<task>/<file>} and is
 * looked up among the recorded outputs, never resolved against the file system, so no path in a
 * URL can reach another file.
 */
public final class JobResults {

  /** The file name a task writes its result under. */
  public static final String RESULT_FILE = "result.json";

  static final long MAX_RESULT_BYTES = 1 << 20;

  private final String jobId;
  private final Map<String, List<String>> outputs;

  /**
   * @param outputs the job's finished tasks' outputs by task id ({@code job/stage/name}), as
   *     {@code Coordinator.taskOutputs} gives them
   */
  public JobResults(String jobId, Map<String, List<String>> outputs) {
    this.jobId = jobId;
    this.outputs = outputs;
  }

  /**
   * The results table: {@code {columns: [metric names, first seen first], rows: [{run, encoder,
   * captions, seed, protocol, fraction, task, metrics, perClassIoU, taskId}], images: [{run, kind, url,
   * taskId}], problems: [{taskId, file, message}]}}. A result.json that cannot be read or does not
   * follow the convention is listed under problems, not dropped silently. Reads files: call off
   * the event loop.
   */
  public JsonObject table() {
    Set<String> columns = new LinkedHashSet<>();
    JsonArray rows = new JsonArray();
    JsonArray images = new JsonArray();
    JsonArray problems = new JsonArray();
    for (Map.Entry<String, List<String>> task : outputs.entrySet()) {
      for (String ref : task.getValue()) {
        Path file = Path.of(ref);
        if (file.getFileName() == null || !file.getFileName().toString().equals(RESULT_FILE)) {
          continue;
        }
        JsonObject result;
        try {
          result = read(file);
        } catch (IOException | DecodeException | IllegalArgumentException e) {
          problems.add(new JsonObject().put("taskId", task.getKey()).put("file", ref).put("message", e.getMessage()));
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
          if (artifact(task.getKey(), name) == null) {
            problems.add(new JsonObject().put("taskId", task.getKey()).put("file", ref)
                .put("message", "images[].file '" + name + "' is not an output of the task; write it with the task's ArtifactStore"));
            continue;
          }
          images.add(new JsonObject().put("run", run).put("kind", image.getString("kind")).put("taskId", task.getKey())
              .put("url", url(task.getKey(), name)));
        }
      }
    }
    return new JsonObject().put("columns", new JsonArray(new ArrayList<>(columns))).put("rows", rows)
        .put("images", images).put("problems", problems);
  }

  /** Reads and checks one result.json against the convention; the message names the field. */
  static JsonObject read(Path file) throws IOException {
    if (Files.size(file) > MAX_RESULT_BYTES) {
      throw new IllegalArgumentException("larger than " + MAX_RESULT_BYTES + " bytes");
    }
    JsonObject r = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
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
   * {@code job/stage/task} reported as an output.
   */
  public Path artifact(String stage, String task, String file) {
    return artifact(jobId + "/" + stage + "/" + task, file);
  }

  private Path artifact(String taskId, String file) {
    if (file == null || file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..") || file.equals(".")) {
      return null;
    }
    for (String ref : outputs.getOrDefault(taskId, List.of())) {
      Path p = Path.of(ref);
      if (p.getFileName() != null && p.getFileName().toString().equals(file)
          && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return p;
      }
    }
    return null;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
