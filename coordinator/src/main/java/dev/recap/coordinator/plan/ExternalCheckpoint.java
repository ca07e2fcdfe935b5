package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One entry of the {@code evaluate} stage's {@code checkpoints}: an external checkpoint evaluated
 * beside the job's runs, {@code {name, init, encoder (vit), encoderConfig ({preset: vit-tiny}),
 * text (text-transformer; none: the image tower alone), textConfig ({preset: text-tiny}),
 * embedDim (128), imageSize (64), seed (1)}}.
 *
 * @param field the entry's field path, for messages
 * @param text its text encoder id, null for none
 * @param spec the run spec its towers are built from (the worker's ClipRunSpec JSON form;
 *     {@code init} the file, absolute; objective {@code clip}, or {@code none} without a text tower)
 */
record ExternalCheckpoint(String field, String name, long seed, String encoder, String text, Map<String, Object> spec) {

  private static final Set<String> KEYS = Set.of("name", "init", "encoder", "encoderConfig", "text", "textConfig", "embedDim",
      "imageSize", "seed");

  /** The checkpoint file. */
  Path file() {
    return Path.of((String) spec.get("init"));
  }

  /** The stage's checkpoints (empty without the parameter); problems go to {@code check}. */
  static List<ExternalCheckpoint> read(StageSpec stage, SpecCheck check) {
    Object v = stage.params().get("checkpoints");
    List<ExternalCheckpoint> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      check.problem(stage.field("checkpoints"), "must be a non-empty list of {name, init, encoder, encoderConfig, ...}, got "
          + SpecCheck.describe(v));
      return out;
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String field = stage.field("checkpoints") + "[" + i + "]";
      Map<String, Object> c = PipelineParams.map(check, field, list.get(i), null);
      if (c == null) {
        continue;
      }
      for (String key : c.keySet()) {
        if (!KEYS.contains(key)) {
          check.problem(field + "." + key, "unknown checkpoint field; known: " + new TreeSet<>(KEYS));
        }
      }
      String name = c.get("name") instanceof String s ? s : null;
      if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
        check.problem(field + ".name", "is required: 1-64 letters, digits, '-', '_', got " + SpecCheck.describe(c.get("name")));
        continue;
      }
      if (!names.add(name)) {
        check.problem(field + ".name", "checkpoint '" + name + "' is listed twice");
      }
      if (!c.containsKey("init")) {
        check.problem(field + ".init", "is required: the checkpoint's safetensors file");
      }
      String init = PipelineParams.checkpointFile(check, field + ".init", c.get("init"));
      String encoder = c.getOrDefault("encoder", "vit") instanceof String s ? s : "vit";
      String text = c.getOrDefault("text", "text-transformer") instanceof String s ? s : "text-transformer";
      Map<String, Object> textConfig = PipelineParams.map(check, field + ".textConfig", c.get("textConfig"),
          Map.of("preset", "text-tiny"));
      boolean textTower = !text.equals("none");
      if (textTower && !init.isEmpty() && !textConfig.containsKey("tokenizer") && !tokenizerBeside(Path.of(init))) {
        check.problem(field + ".text", "the checkpoint's text tower needs its tokenizer: none beside " + init + " (tokenizer/ or"
            + " tokenizer.json) and no 'tokenizer' in textConfig; add one, or set text: none to evaluate the image tower alone");
      }
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("objective", textTower ? "clip" : "none");
      spec.put("imageEncoder", encoder);
      spec.put("imageConfig", PipelineParams.map(check, field + ".encoderConfig", c.get("encoderConfig"), Map.of("preset", "vit-tiny")));
      spec.put("textEncoder", textTower ? text : null);
      spec.put("textConfig", textConfig);
      spec.put("embedDim", (int) PipelineParams.number(check, field + ".embedDim", c.get("embedDim"), 128, 1, 1 << 16));
      spec.put("imageSize", (int) PipelineParams.number(check, field + ".imageSize", c.get("imageSize"), 64, 8, 4096));
      spec.put("init", init);
      long seed = (long) PipelineParams.number(check, field + ".seed", c.get("seed"), 1, 0, Long.MAX_VALUE);
      out.add(new ExternalCheckpoint(field, name, seed, encoder, textTower ? text : null, spec));
    }
    return out;
  }

  /** Whether a tokenizer travels with the checkpoint file: Recap's {@code tokenizer/} or a Hugging Face {@code tokenizer.json}. */
  private static boolean tokenizerBeside(Path file) {
    return Files.isDirectory(file.resolveSibling("tokenizer")) || Files.isRegularFile(file.resolveSibling("tokenizer.json"));
  }
}
