package dev.recap.coordinator.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects problems while a spec is checked, and reads typed parameters with errors that name
 * the field. Planners use it in {@code validate}; the plugins live workers advertise are here to
 * check plugin references against.
 */
public final class SpecCheck {

  private final List<SpecProblem> problems = new ArrayList<>();
  private final Set<String> livePlugins;
  private final Set<String> pendingPlugins;
  private final Map<String, String> failedPlugins;

  /** @param livePlugins extension ids live workers advertise; null skips plugin checks (recovery) */
  public SpecCheck(Set<String> livePlugins) {
    this(livePlugins, Set.of(), Map.of());
  }

  /**
   * @param livePlugins extension ids (and {@code id@version}) live workers offer; null skips plugin checks
   * @param pendingPlugins published extensions whose conformance kit is still running: accepted, their
   *     tasks wait until a worker offers them
   * @param failedPlugins published extensions no live worker offers because their kit failed, with
   *     the failing check's message: refused with that message
   */
  public SpecCheck(Set<String> livePlugins, Set<String> pendingPlugins, Map<String, String> failedPlugins) {
    this.livePlugins = livePlugins == null ? null : new TreeSet<>(livePlugins);
    this.pendingPlugins = Set.copyOf(pendingPlugins);
    this.failedPlugins = Map.copyOf(failedPlugins);
  }

  public void problem(String field, String message) {
    problems.add(new SpecProblem(field, message));
  }

  public List<SpecProblem> problems() {
    return List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  /**
   * Records a problem unless a live worker advertises extension {@code id} ({@code id@version}
   * pins a version) or a published one is still in its conformance kit.
   */
  public void requirePlugin(String field, String id) {
    if (livePlugins == null || livePlugins.contains(id) || pendingPlugins.contains(id)) {
      return;
    }
    if (failedPlugins.containsKey(id)) {
      problem(field, "plugin '" + id + "' is not offered to jobs: " + failedPlugins.get(id));
      return;
    }
    // each offered extension is in the set as id and as id@version: list the pinned forms only
    Set<String> shown = new TreeSet<>();
    livePlugins.stream().filter(p -> p.contains("@")).forEach(shown::add);
    livePlugins.stream().filter(p -> shown.stream().noneMatch(v -> v.startsWith(p + "@"))).forEach(shown::add);
    problem(field, "unknown plugin '" + id + "'; live workers advertise "
        + (shown.isEmpty() ? "no plugins (is any worker with plugins running?)" : shown));
  }

  /** A whole-number parameter in [min, max], or {@code dflt} if absent. */
  public int intParam(StageSpec stage, String key, int dflt, int min, int max) {
    Object v = stage.params().get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n < min || n > max) {
        problem(stage.field(key), "must be between " + min + " and " + max + ", got " + n);
        return dflt;
      }
      return (int) n;
    }
    problem(stage.field(key), "must be a whole number, got " + describe(v));
    return dflt;
  }

  /** A whole-number parameter (long) >= 0, or {@code dflt}. */
  public long longParam(StageSpec stage, String key, long dflt) {
    Object v = stage.params().get(key);
    if (v == null) {
      return dflt;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
      return ((Number) v).longValue();
    }
    problem(stage.field(key), "must be a whole number >= 0, got " + describe(v));
    return dflt;
  }

  /** A true/false parameter, or {@code dflt}. */
  public boolean boolParam(StageSpec stage, String key, boolean dflt) {
    Object v = stage.params().get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    problem(stage.field(key), "must be true or false, got " + describe(v));
    return dflt;
  }

  /** A string parameter, or {@code dflt}. */
  public String stringParam(StageSpec stage, String key, String dflt) {
    Object v = stage.params().get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof String s) {
      return s;
    }
    problem(stage.field(key), "must be a string, got " + describe(v));
    return dflt;
  }

  /** A list of strings, or empty. */
  public List<String> stringListParam(StageSpec stage, String key) {
    Object v = stage.params().get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      problem(stage.field(key), "must be a list of strings, got " + describe(v));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof String s) {
        out.add(s);
      } else {
        problem(stage.field(key) + "[" + i + "]", "must be a string, got " + describe(list.get(i)));
      }
    }
    return out;
  }

  /** Flags parameters no one reads (typos like {@code taks:}). */
  public void rejectUnknownParams(StageSpec stage, Set<String> known) {
    for (String key : stage.params().keySet()) {
      if (!known.contains(key) && !key.equals(JobSpecParser.WITHIN_BUDGET)) {
        problem(stage.field(key), "unknown parameter for kind '" + stage.kind() + "'; known: " + new TreeSet<>(known));
      }
    }
  }

  /** "'many' (a string)" and the like. */
  public static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    String type = v instanceof String ? "a string" : v instanceof Map ? "a mapping" : v instanceof List ? "a list"
        : v instanceof Boolean ? "a boolean" : v instanceof Number ? "a number" : v.getClass().getSimpleName();
    return (v instanceof String ? "'" + v + "'" : String.valueOf(v)) + " (" + type + ")";
  }
}
