package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter readers and dependency lookups the experiment's stage planners share: fractional
 * numbers, nested mappings, lists of numbers (with field-path errors, like {@link SpecCheck}'s
 * readers), and the {@code after} stage of a kind.
 */
final class PipelineParams {

  private PipelineParams() {}

  /** A number (whole or fractional) in [min, max], or {@code dflt}. */
  static double doubleParam(SpecCheck check, StageSpec stage, String key, double dflt, double min, double max) {
    return number(check, stage.field(key), stage.params().get(key), dflt, min, max);
  }

  static double number(SpecCheck check, String field, Object v, double dflt, double min, double max) {
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (!(d >= min && d <= max)) {
        check.problem(field, "must be between " + min + " and " + max + ", got " + d);
        return dflt;
      }
      return d;
    }
    check.problem(field, "must be a number, got " + SpecCheck.describe(v));
    return dflt;
  }

  /** A mapping with string keys, or {@code dflt}. */
  static Map<String, Object> mapParam(SpecCheck check, StageSpec stage, String key, Map<String, Object> dflt) {
    return map(check, stage.field(key), stage.params().get(key), dflt);
  }

  static Map<String, Object> map(SpecCheck check, String field, Object v, Map<String, Object> dflt) {
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Map<?, ?> m)) {
      check.problem(field, "must be a mapping, got " + SpecCheck.describe(v));
      return dflt;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, val) -> out.put(String.valueOf(k), val));
    return out;
  }

  /** A list of numbers in [min, max], or {@code dflt}. */
  static List<Double> numberList(SpecCheck check, String field, Object v, List<Double> dflt, double min, double max) {
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      check.problem(field, "must be a non-empty list of numbers, got " + SpecCheck.describe(v));
      return dflt;
    }
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(number(check, field + "[" + i + "]", list.get(i), Double.NaN, min, max));
    }
    return out;
  }

  /** OpenCLIP's training crop starts at this fraction of the image area. */
  static final double DEFAULT_MIN_SCALE = 0.9;

  /**
   * A run's training augmentation {@code {minScale, flip}}: the keys of {@code value} over those of
   * {@code base} (the stage's setting, or OpenCLIP's defaults: minScale 0.9, no flip). Returns the
   * run spec's JSON form.
   */
  static Map<String, Object> augment(SpecCheck check, String field, Object value, Map<String, Object> base) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    Map<String, Object> given = map(check, field, value, Map.of());
    for (Map.Entry<String, Object> e : given.entrySet()) {
      switch (e.getKey()) {
        case "minScale" -> {
          double v = number(check, field + ".minScale", e.getValue(), Double.NaN, 0, 1);
          if (v == 0) {
            check.problem(field + ".minScale", "must be above 0 (the smallest crop's share of the image area), got 0");
          } else if (!Double.isNaN(v)) {
            out.put("minScale", v);
          }
        }
        case "flip" -> {
          if (e.getValue() instanceof Boolean b) {
            out.put("flip", b);
          } else {
            check.problem(field + ".flip", "must be true or false, got " + SpecCheck.describe(e.getValue()));
          }
        }
        default -> check.problem(field + "." + e.getKey(), "unknown augment field; known: [flip, minScale]");
      }
    }
    return out;
  }

  /** OpenCLIP's training augmentation in the run spec's JSON form. */
  static Map<String, Object> defaultAugment() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("minScale", DEFAULT_MIN_SCALE);
    a.put("flip", false);
    return a;
  }

  /** A check that throws on the first problem: planning reads parameters validation already accepted. */
  static SpecCheck reading() {
    return new SpecCheck(null);
  }

  /** Fails planning with the problems {@code check} recorded, if any. */
  static void requireOk(SpecCheck check, StageSpec stage) {
    if (!check.ok()) {
      throw new IllegalArgumentException("stage '" + stage.name() + "': " + check.problems());
    }
  }

  /** The one stage in {@code stage.after()} of {@code kind}, failing with what is there. */
  static StageSpec afterOfKind(JobSpec job, StageSpec stage, String kind) {
    List<StageSpec> found = new ArrayList<>();
    for (String name : stage.after()) {
      job.stage(name).filter(s -> s.kind().equals(kind)).ifPresent(found::add);
    }
    if (found.size() != 1) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' (kind " + stage.kind() + ") needs exactly one stage of kind '"
          + kind + "' in its 'after' list, found " + found.stream().map(StageSpec::name).toList() + " in " + stage.after());
    }
    return found.get(0);
  }

  /** The kinds of data stage that provide image-text pairs. */
  static final List<String> IMAGE_TEXT_KINDS = List.of(SynthDataStagePlanner.KIND, DatasetStagePlanner.KIND);

  /**
   * The one image-text data stage ({@code synth-data} or {@code dataset}) in {@code stage.after()},
   * failing with what is there.
   */
  static StageSpec imageTextStage(JobSpec job, StageSpec stage) {
    List<StageSpec> found = new ArrayList<>();
    for (String name : stage.after()) {
      job.stage(name).filter(s -> IMAGE_TEXT_KINDS.contains(s.kind())).ifPresent(found::add);
    }
    if (found.size() != 1) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' (kind " + stage.kind() + ") needs exactly one stage of kind "
          + IMAGE_TEXT_KINDS + " (its image-text pairs) in its 'after' list, found " + found.stream().map(StageSpec::name).toList()
          + " in " + stage.after());
    }
    return found.get(0);
  }

  /** The image-text data stage in {@code stage.after()}, or null if there is none (or several: planning reports it). */
  static StageSpec optionalImageTextStage(JobSpec job, StageSpec stage) {
    List<StageSpec> found = new ArrayList<>();
    for (String name : stage.after()) {
      job.stage(name).filter(s -> IMAGE_TEXT_KINDS.contains(s.kind())).ifPresent(found::add);
    }
    return found.size() == 1 ? found.get(0) : null;
  }

  /**
   * The image-text pairs {@code stage} reads: those its data stage ({@link #imageTextStage})
   * declared, by role (training, held-out, reference). Every planner that reads pairs asks here.
   */
  static ImageTextData imageTextSource(PlanningInput input, StageSpec stage) {
    StageSpec data = imageTextStage(input.job(), stage);
    return data.kind().equals(DatasetStagePlanner.KIND) ? DatasetStagePlanner.pairs(input, data)
        : SynthDataStagePlanner.pairs(input, data);
  }

  /** The optional stage in {@code stage.after()} of {@code kind}. */
  static StageSpec optionalAfterOfKind(JobSpec job, StageSpec stage, String kind) {
    for (String name : stage.after()) {
      StageSpec s = job.stage(name).orElse(null);
      if (s != null && s.kind().equals(kind)) {
        return s;
      }
    }
    return null;
  }

  /** A mapping as a JSON object string (payload form). */
  static String json(Map<String, Object> map) {
    return new JsonObject(new LinkedHashMap<>(map)).encode();
  }

  /**
   * A checkpoint file parameter ({@code init}): a path to an existing regular file, returned
   * absolute (a relative path resolves against the directory the coordinator runs in), or "" when
   * {@code value} is null. A missing file is a problem naming the field and the path looked at.
   */
  static String checkpointFile(SpecCheck check, String field, Object value) {
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s) || s.isBlank()) {
      check.problem(field, "must be the path of a checkpoint (.safetensors), got " + SpecCheck.describe(value));
      return "";
    }
    Path file = Path.of(s.strip()).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      check.problem(field, "no checkpoint file at " + file + (Files.isDirectory(file)
          ? " (a directory: name the .safetensors file in it, e.g. open_clip_model.safetensors)"
          : ": name an OpenCLIP or MobileCLIP safetensors file (recap export writes one)"));
      return "";
    }
    return file.toString();
  }
}
