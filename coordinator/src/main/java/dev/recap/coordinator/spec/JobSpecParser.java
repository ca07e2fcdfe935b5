package dev.recap.coordinator.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Parses job-spec YAML into a {@link JobSpec}, checking the job-level fields and the stage
 * graph; the stage parameters are checked by each stage's planner afterwards.
 */
public final class JobSpecParser {

  private static final Set<String> JOB_KEYS = Set.of("name", "seed", "output", "maxAttempts", "leaseSeconds", "budget", "stages", "profiles");

  private JobSpecParser() {}

  /**
   * A spec that came from no file (relative paths in it are an error).
   *
   * @param source where the text came from, for messages
   * @throws SpecException with every problem found
   */
  public static JobSpec parse(String yaml, String source) {
    return parse(yaml, source, null);
  }

  /**
   * @param source where the text came from (a file name), for messages
   * @param folder the folder the spec file is in, against which relative paths resolve; null if none
   * @throws SpecException with every problem found
   */
  public static JobSpec parse(String yaml, String source, java.nio.file.Path folder) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      String where = mark == null ? "yaml" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      throw new SpecException(source, List.of(new SpecProblem(where, "not valid YAML: " + e.getProblem())));
    } catch (YAMLException e) {
      throw new SpecException(source, List.of(new SpecProblem("yaml", "not valid YAML: " + e.getMessage())));
    }
    SpecCheck check = new SpecCheck(null);
    if (!(root instanceof Map<?, ?> map)) {
      throw new SpecException(source, List.of(new SpecProblem("(top level)",
          "must be a mapping with name and stages, got " + SpecCheck.describe(root))));
    }
    for (Object key : map.keySet()) {
      if (!JOB_KEYS.contains(String.valueOf(key))) {
        check.problem(String.valueOf(key), "unknown field; known: " + new java.util.TreeSet<>(JOB_KEYS));
      }
    }
    String name = string(map, "name", null, check);
    if (name == null) {
      check.problem("name", "is required (letters, digits, '-', '_')");
    } else if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
      check.problem("name", "must be 1-64 letters, digits, '-' or '_', got '" + name + "'");
    }
    long seed = whole(map, "seed", 0, check);
    String output = string(map, "output", null, check);
    int maxAttempts = (int) whole(map, "maxAttempts", 3, check);
    if (maxAttempts < 1 || maxAttempts > 100) {
      check.problem("maxAttempts", "must be between 1 and 100, got " + maxAttempts);
    }
    int leaseSeconds = (int) whole(map, "leaseSeconds", 10, check);
    if (leaseSeconds < 2 || leaseSeconds > 3600) {
      check.problem("leaseSeconds", "must be between 2 and 3600, got " + leaseSeconds);
    }
    long budget = 0;
    if (map.get("budget") != null) {
      try {
        budget = Budget.seconds(map.get("budget"));
      } catch (IllegalArgumentException e) {
        check.problem("budget", e.getMessage());
      }
    }
    List<StageSpec> stages = stages(map.get("stages"), check);
    for (StageSpec stage : stages) {
      if (stage.params().containsKey(WITHIN_BUDGET)) {
        withinBudget(stage, stages, map.get("budget") != null, check);
      }
    }
    SpecProfiles.check(map.get("profiles"), map.get("stages") instanceof List<?> l ? l : null, check);
    if (!check.ok()) {
      throw new SpecException(source, check.problems());
    }
    return new JobSpec(name, seed, output, maxAttempts, leaseSeconds,
        CheckpointPaths.resolve(stages, folder == null ? null : folder.toAbsolutePath().normalize()), yaml, folder, budget);
  }

  /**
   * The stage key every kind accepts: {@code withinBudget: [stages]} starts the stage only if the
   * job's elapsed time plus the wall time those earlier stages took still fits the job's
   * {@code budget}; otherwise the stage is skipped, with the stages that need it (a report
   * excepted, which says what was skipped).
   */
  public static final String WITHIN_BUDGET = "withinBudget";

  /** The stages {@code withinBudget} names (empty when the stage has none). */
  public static List<String> withinBudget(StageSpec stage) {
    return stage.params().get(WITHIN_BUDGET) instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
  }

  private static void withinBudget(StageSpec stage, List<StageSpec> stages, boolean hasBudget, SpecCheck check) {
    String field = stage.field(WITHIN_BUDGET);
    if (!hasBudget) {
      check.problem(field, "needs a job 'budget' (e.g. budget: 30m) to compare against");
    }
    if (!(stage.params().get(WITHIN_BUDGET) instanceof List<?> list) || list.isEmpty()) {
      check.problem(field, "must be a non-empty list of earlier stages whose wall time predicts this one's, got "
          + SpecCheck.describe(stage.params().get(WITHIN_BUDGET)));
      return;
    }
    List<String> earlier = stages.subList(0, stages.indexOf(stage)).stream().map(StageSpec::name).toList();
    for (int i = 0; i < list.size(); i++) {
      if (!earlier.contains(String.valueOf(list.get(i)))) {
        check.problem(field + "[" + i + "]", "'" + list.get(i) + "' is not an earlier stage; earlier stages: " + earlier);
      }
    }
  }

  private static List<StageSpec> stages(Object value, SpecCheck check) {
    List<StageSpec> stages = new ArrayList<>();
    if (value == null) {
      check.problem("stages", "is required: a list of stages, each with name and kind");
      return stages;
    }
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      check.problem("stages", "must be a non-empty list of stages, got " + SpecCheck.describe(value));
      return stages;
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "stages[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        check.problem(path, "must be a mapping with name and kind, got " + SpecCheck.describe(list.get(i)));
        continue;
      }
      String name = string(m, "name", path, check);
      String kind = string(m, "kind", path, check);
      if (name == null) {
        check.problem(path + ".name", "is required");
      } else if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
        check.problem(path + ".name", "must be 1-64 letters, digits, '-' or '_', got '" + name + "'");
      } else if (!names.add(name)) {
        check.problem(path + ".name", "stage '" + name + "' is defined twice");
      }
      if (kind == null) {
        check.problem(path + ".kind", "is required (e.g. smoke)");
      }
      List<String> after = new ArrayList<>();
      Object a = m.get("after");
      if (a instanceof String s) {
        after.add(s);
      } else if (a instanceof List<?> al) {
        for (int j = 0; j < al.size(); j++) {
          if (al.get(j) instanceof String s) {
            after.add(s);
          } else {
            check.problem(path + ".after[" + j + "]", "must be a stage name, got " + SpecCheck.describe(al.get(j)));
          }
        }
      } else if (a != null) {
        check.problem(path + ".after", "must be a list of stage names, got " + SpecCheck.describe(a));
      }
      for (int j = 0; j < after.size(); j++) {
        if (!names.contains(after.get(j)) || after.get(j).equals(name)) {
          check.problem(path + ".after[" + j + "]", "'" + after.get(j) + "' is not an earlier stage; earlier stages: "
              + names.stream().filter(n -> !n.equals(name)).toList());
        }
      }
      Map<String, Object> params = new LinkedHashMap<>();
      m.forEach((k, v) -> {
        String key = String.valueOf(k);
        if (!key.equals("name") && !key.equals("kind") && !key.equals("after")) {
          params.put(key, v);
        }
      });
      if (name != null && kind != null) {
        stages.add(new StageSpec(name, kind, after, params, path));
      }
    }
    return stages;
  }

  private static String string(Map<?, ?> map, String key, String path, SpecCheck check) {
    Object v = map.get(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    check.problem(path == null ? key : path + "." + key, "must be a string, got " + SpecCheck.describe(v));
    return null;
  }

  private static long whole(Map<?, ?> map, String key, long dflt, SpecCheck check) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    check.problem(key, "must be a whole number, got " + SpecCheck.describe(v));
    return dflt;
  }
}
