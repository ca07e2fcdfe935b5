package dev.recap.coordinator.spec;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the checkpoint files a spec names ({@code init} on a stage and on its {@code runs}, and
 * {@code checkpoints[].init} of an evaluation) against the spec file's folder, as a dataset's
 * {@code shards} and a dense benchmark's {@code root} are: a relative path means the same file
 * wherever the coordinator runs. Absolute paths, other values and specs that came from no file are
 * left as they are (the planners report what is wrong with them).
 */
final class CheckpointPaths {

  private CheckpointPaths() {}

  static List<StageSpec> resolve(List<StageSpec> stages, Path folder) {
    if (folder == null) {
      return stages;
    }
    List<StageSpec> out = new ArrayList<>();
    for (StageSpec s : stages) {
      Map<String, Object> params = new LinkedHashMap<>(s.params());
      params.computeIfPresent("init", (k, v) -> resolved(v, folder));
      params.computeIfPresent("runs", (k, v) -> eachInit(v, folder));
      params.computeIfPresent("checkpoints", (k, v) -> eachInit(v, folder));
      out.add(new StageSpec(s.name(), s.kind(), s.after(), params, s.path()));
    }
    return out;
  }

  private static Object eachInit(Object list, Path folder) {
    if (!(list instanceof List<?> items)) {
      return list;
    }
    List<Object> out = new ArrayList<>();
    for (Object item : items) {
      if (item instanceof Map<?, ?> m && m.containsKey("init")) {
        Map<Object, Object> copy = new LinkedHashMap<>(m);
        copy.put("init", resolved(m.get("init"), folder));
        out.add(copy);
      } else {
        out.add(item);
      }
    }
    return out;
  }

  private static Object resolved(Object value, Path folder) {
    if (!(value instanceof String s) || s.isBlank()) {
      return value;
    }
    try {
      Path p = Path.of(s.strip());
      return p.isAbsolute() ? value : folder.resolve(p).normalize().toString();
    } catch (InvalidPathException e) {
      return value;
    }
  }
}
