package dev.recap.coordinator.run;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the console shows about one job beyond its plan: the events log, the metric series and
 * the live rates behind each stage's samples/s and ETA. In memory only and bounded: the last
 * {@value #MAX_EVENTS} events, at most {@value #MAX_SERIES} series of the last
 * {@value #MAX_POINTS} points each. Guarded by the coordinator's lock.
 *
 * <p>Conventions (docs/console.md): a task's {@code metric(name, value, tags)} lands in series
 * {@code "<stage>/<name>"} at x = tag {@code step} (else the series' own counter); metrics named
 * {@code samples_per_sec} or {@code images_per_sec} also feed the stage's samples/s. A task note
 * {@code "skipped sample <key>: <reason>"} is logged as a {@code SAMPLE_SKIPPED} warning.
 */
final class JobTelemetry {

  static final int MAX_EVENTS = 500;
  static final int MAX_SERIES = 64;
  static final int MAX_POINTS = 1000;

  private static final Pattern SKIPPED = Pattern.compile("(?i)^skipped sample\\b.*");

  /** One line of the events log. */
  record Event(long time, String level, String kind, String stage, String taskId, String message) {
    JsonObject toJson() {
      return new JsonObject().put("time", time).put("level", level).put("kind", kind).put("stage", stage)
          .put("taskId", taskId).put("message", message);
    }
  }

  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private final Map<String, ArrayDeque<double[]>> series = new LinkedHashMap<>();
  private final Map<String, Long> nextStep = new HashMap<>();
  private final Map<String, Double> progress = new HashMap<>();
  /** stage -> task -> last reported samples per second and when (coordinator clock). */
  private final Map<String, Map<String, double[]>> rates = new HashMap<>();
  /** stage -> last known total samples per second (kept after the tasks finish). */
  private final Map<String, Double> lastRate = new HashMap<>();
  private final Map<String, Long> stageStarted = new HashMap<>();

  /** Records an event; a task note about a skipped sample becomes SAMPLE_SKIPPED. */
  Event event(long time, String kind, String stage, String taskId, String message) {
    String k = kind;
    if ("NOTE".equals(kind) && message != null && SKIPPED.matcher(message).matches()) {
      k = "SAMPLE_SKIPPED";
    }
    Event e = new Event(time, level(k), k, stage, taskId, message == null ? "" : message);
    events.addLast(e);
    while (events.size() > MAX_EVENTS) {
      events.removeFirst();
    }
    return e;
  }

  static String level(String kind) {
    return switch (kind) {
      case "JOB_FAILED" -> "error";
      case "TASK_RETRIED", "WORKER_LEFT", "SAMPLE_SKIPPED", "STAGE_SKIPPED" -> "warn";
      default -> "info";
    };
  }

  void stagePlanned(String stage, long now) {
    stageStarted.putIfAbsent(stage, now);
  }

  /**
   * Adds one point to {@code "<stage>/<name>"}.
   *
   * @return the series name and point as {@code {series, step, value}}, or null if dropped (not
   *     finite, or the job already has {@value #MAX_SERIES} series)
   */
  JsonObject metric(String stage, String taskId, String name, Map<String, String> tags, double value, long now) {
    if (!Double.isFinite(value)) {
      return null;
    }
    String key = stage + "/" + name;
    ArrayDeque<double[]> points = series.get(key);
    if (points == null) {
      if (series.size() >= MAX_SERIES) {
        return null;
      }
      points = new ArrayDeque<>();
      series.put(key, points);
    }
    double step = step(tags == null ? null : tags.get("step"), key);
    points.addLast(new double[] {step, value});
    while (points.size() > MAX_POINTS) {
      points.removeFirst();
    }
    if ((name.equals("samples_per_sec") || name.equals("images_per_sec")) && taskId != null) {
      rates.computeIfAbsent(stage, s -> new HashMap<>()).put(taskId, new double[] {value, now});
      lastRate.put(stage, recentRate(stage, now));
    }
    return new JsonObject().put("series", key).put("step", step).put("value", value);
  }

  private double step(String tag, String key) {
    if (tag != null) {
      try {
        double s = Double.parseDouble(tag);
        if (Double.isFinite(s)) {
          nextStep.merge(key, (long) s + 1, Math::max);
          return s;
        }
      } catch (NumberFormatException e) {
        // not a number: fall back to the counter rather than drop the point
      }
    }
    long s = nextStep.getOrDefault(key, 0L);
    nextStep.put(key, s + 1);
    return s;
  }

  void progress(String taskId, double fraction) {
    progress.put(taskId, Math.max(0, Math.min(1, fraction)));
  }

  /** A task finished (or its attempt was lost): its progress and rate no longer count as running. */
  void taskEnded(String stage, String taskId) {
    progress.remove(taskId);
    Map<String, double[]> byTask = rates.get(stage);
    if (byTask != null) {
      byTask.remove(taskId);
    }
  }

  /**
   * The stage's samples per second: the sum of the latest rate of every running task that
   * reported one in the last {@value #RATE_WINDOW_MILLIS} ms, else the last such sum (a finished
   * stage keeps its final rate); null if no task ever reported one.
   */
  Double samplesPerSec(String stage, long now) {
    Double recent = recentRate(stage, now);
    return recent != null ? recent : lastRate.get(stage);
  }

  static final long RATE_WINDOW_MILLIS = 10_000;

  private Double recentRate(String stage, long now) {
    Map<String, double[]> byTask = rates.get(stage);
    if (byTask == null) {
      return null;
    }
    double sum = 0;
    boolean any = false;
    for (double[] r : byTask.values()) {
      if (now - r[1] <= RATE_WINDOW_MILLIS) {
        sum += r[0];
        any = true;
      }
    }
    return any ? sum : null;
  }

  /**
   * Seconds left for a running stage, from its progress so far (done tasks plus the fractions
   * running tasks reported) and the time since it was planned; null until there is progress.
   */
  Double etaSeconds(String stage, Iterable<String> runningTaskIds, int done, int total, long now) {
    Long started = stageStarted.get(stage);
    if (started == null || total == 0) {
      return null;
    }
    double progressed = done;
    for (String id : runningTaskIds) {
      progressed += progress.getOrDefault(id, 0.0);
    }
    double elapsed = (now - started) / 1000.0;
    if (progressed <= 0 || elapsed <= 0) {
      return null;
    }
    return Math.max(0, (total - progressed) * elapsed / progressed);
  }

  JsonArray eventsJson() {
    JsonArray out = new JsonArray();
    events.forEach(e -> out.add(e.toJson()));
    return out;
  }

  JsonObject seriesJson() {
    JsonObject out = new JsonObject();
    series.forEach((name, points) -> {
      JsonArray a = new JsonArray();
      points.forEach(p -> a.add(new JsonArray().add(p[0]).add(p[1])));
      out.put(name, a);
    });
    return out;
  }

  /** The stage a task id {@code job/stage/name} belongs to, or null. */
  static String stageOf(String jobId, String taskId) {
    if (taskId == null || !taskId.startsWith(jobId + "/")) {
      return null;
    }
    Matcher m = Pattern.compile("([^/]+)/[^/]+").matcher(taskId.substring(jobId.length() + 1));
    return m.matches() ? m.group(1) : null;
  }
}
