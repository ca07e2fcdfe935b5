package dev.recap.coordinator.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Named parameter overrides declared in a job spec, so one file runs at several sizes:
 *
 * <pre>
 * profiles:
 *   quick:                  # recap run spec.yaml --quick (or --profile quick)
 *     pretrain: {epochs: 1, batchSize: 32}   # stage name -> parameter overrides
 *     evaluate: {frozen: {epochs: 2}}        # mappings merge key by key
 * </pre>
 *
 * {@link #apply} returns the spec's YAML with the profile merged into the stages and the
 * {@code profiles} block removed; that text is what is submitted and journaled, so a recovered
 * coordinator re-plans exactly the job that ran. Stage names are checked here; parameter names
 * are checked by each stage's planner after the merge (an unknown one is reported at the stage's
 * field path).
 */
public final class SpecProfiles {

  /** Keys a profile may not override: they define the stage graph, not its sizes. */
  private static final Set<String> FIXED = Set.of("name", "kind", "after");

  private SpecProfiles() {}

  /** Checks the {@code profiles} block of a parsed spec root; problems name the field. */
  static void check(Object profiles, List<?> stages, SpecCheck check) {
    if (profiles == null) {
      return;
    }
    if (!(profiles instanceof Map<?, ?> map)) {
      check.problem("profiles", "must be a mapping of profile name -> stage name -> parameter overrides, got "
          + SpecCheck.describe(profiles));
      return;
    }
    Set<String> stageNames = new TreeSet<>();
    if (stages != null) {
      for (Object s : stages) {
        if (s instanceof Map<?, ?> m && m.get("name") instanceof String n) {
          stageNames.add(n);
        }
      }
    }
    map.forEach((profile, body) -> {
      String field = "profiles." + profile;
      if (!(body instanceof Map<?, ?> overrides)) {
        check.problem(field, "must be a mapping of stage name -> parameter overrides, got " + SpecCheck.describe(body));
        return;
      }
      overrides.forEach((stage, params) -> {
        String stageField = field + "." + stage;
        if (!stageNames.contains(String.valueOf(stage))) {
          check.problem(stageField, "no stage named '" + stage + "'; stages: " + stageNames);
        } else if (!(params instanceof Map<?, ?> p)) {
          check.problem(stageField, "must be a mapping of parameter overrides, got " + SpecCheck.describe(params));
        } else {
          for (Object key : p.keySet()) {
            if (FIXED.contains(String.valueOf(key))) {
              check.problem(stageField + "." + key, "a profile cannot change a stage's " + key);
            }
          }
        }
      });
    });
  }

  /**
   * The spec with profile {@code name} applied (null: the spec unchanged apart from dropping the
   * profiles block).
   *
   * @throws SpecException naming the profile and the known ones, or any problem of the block
   */
  public static String apply(String yaml, String name, String source) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      JobSpecParser.parse(yaml, source); // reports the syntax error with its position
      throw e;
    }
    if (!(root instanceof Map<?, ?> rootMap)) {
      JobSpecParser.parse(yaml, source);
      throw new SpecException(source, List.of(new SpecProblem("(top level)", "must be a mapping")));
    }
    JobSpecParser.parse(yaml, source); // shape, stages and the profiles block are valid from here on
    Map<String, Object> spec = copy(rootMap);
    Object profiles = spec.remove("profiles");
    if (name == null) {
      return yaml;
    }
    Map<?, ?> all = profiles instanceof Map<?, ?> m ? m : Map.of();
    if (!all.containsKey(name)) {
      throw new SpecException(source, List.of(new SpecProblem("profiles", "no profile '" + name + "'; the spec declares "
          + new TreeSet<>(all.keySet().stream().map(String::valueOf).toList()))));
    }
    Map<?, ?> overrides = (Map<?, ?>) all.get(name);
    List<Object> stages = new ArrayList<>();
    for (Object s : (List<?>) spec.get("stages")) {
      Map<String, Object> stage = copy((Map<?, ?>) s);
      Object o = overrides.get(stage.get("name"));
      if (o instanceof Map<?, ?> params) {
        merge(stage, params);
      }
      stages.add(stage);
    }
    spec.put("stages", stages);
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(120);
    return "# " + source + " with profile '" + name + "'\n" + new Yaml(new Representer(options), options).dump(spec);
  }

  private static Map<String, Object> copy(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  /** Overrides key by key; a mapping over a mapping merges recursively, anything else replaces. */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> target, Map<?, ?> overrides) {
    overrides.forEach((k, v) -> {
      String key = String.valueOf(k);
      Object old = target.get(key);
      if (old instanceof Map<?, ?> oldMap && v instanceof Map<?, ?> newMap) {
        Map<String, Object> merged = copy(oldMap);
        merge(merged, newMap);
        target.put(key, merged);
      } else {
        target.put(key, v);
      }
    });
  }
}
