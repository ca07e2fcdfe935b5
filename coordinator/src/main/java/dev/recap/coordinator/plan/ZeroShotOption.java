package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code evaluate} stage's {@code zeroShot} option: {@code true}, or {@code {classes,
 * templates}}, read into the config of the zero-shot tasks ({@code classes} left out means every
 * class of the dense set; {@code templates} default to {@value #DEFAULT_TEMPLATE}).
 */
final class ZeroShotOption {

  /** The protocol (and task) of zero-shot classification. */
  static final String PROTOCOL = "zeroshot";

  /** OpenAI CLIP's plainest prompt. */
  static final String DEFAULT_TEMPLATE = "a photo of a {}.";

  private static final Set<String> KEYS = Set.of("classes", "templates");
  private static final String PLACEHOLDER = "{}";

  private ZeroShotOption() {}

  /** The task config {@code {classes?, templates}}, or null when the option is off; problems go to {@code check}. */
  static Map<String, Object> read(StageSpec stage, SpecCheck check) {
    Object v = stage.params().get("zeroShot");
    if (v == null || Boolean.FALSE.equals(v)) {
      return null;
    }
    String field = stage.field("zeroShot");
    Map<String, Object> given = Boolean.TRUE.equals(v) ? Map.of() : PipelineParams.map(check, field, v, null);
    if (given == null) {
      check.problem(field, "must be true or a mapping {classes, templates}");
      return null;
    }
    for (String key : given.keySet()) {
      if (!KEYS.contains(key)) {
        check.problem(field + "." + key, "unknown zeroShot field; known: " + new TreeSet<>(KEYS));
      }
    }
    Map<String, Object> config = new LinkedHashMap<>();
    if (given.containsKey("classes")) {
      config.put("classes", nonEmptyStrings(check, field + ".classes", given.get("classes")));
    }
    List<String> templates = given.containsKey("templates")
        ? nonEmptyStrings(check, field + ".templates", given.get("templates")) : List.of(DEFAULT_TEMPLATE);
    for (int i = 0; i < templates.size(); i++) {
      if (!templates.get(i).contains(PLACEHOLDER)) {
        check.problem(field + ".templates[" + i + "]", "has no " + PLACEHOLDER + " for the class name: '" + templates.get(i) + "'");
      }
    }
    config.put("templates", templates);
    return config;
  }

  private static List<String> nonEmptyStrings(SpecCheck check, String field, Object v) {
    List<String> out = new ArrayList<>();
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      check.problem(field, "must be a non-empty list of strings, got " + SpecCheck.describe(v));
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof String str && !str.isBlank()) {
        out.add(str);
      } else {
        check.problem(field + "[" + i + "]", "must be a non-empty string, got " + SpecCheck.describe(list.get(i)));
      }
    }
    return out;
  }
}
