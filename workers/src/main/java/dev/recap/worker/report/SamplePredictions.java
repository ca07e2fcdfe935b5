package dev.recap.worker.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prediction images listed in result.json files, copied next to the report under unique
 * names so the report directory is self-contained (it is also copied elsewhere).
 *
 * @param names source image to its name in the report directory, in report order
 * @param files name to bytes
 * @param skipped images that could not be read
 */
public record SamplePredictions(Map<Path, String> names, Map<String, byte[]> files, List<String> skipped) {

  public static SamplePredictions copy(ExperimentResults results) {
    Map<Path, String> names = new LinkedHashMap<>();
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    // one seed (the lowest) per run, setting and task, so the section stays readable
    Map<String, Long> lowestSeed = new java.util.HashMap<>();
    for (RunResult r : results.results()) {
      if (!r.images().isEmpty()) {
        lowestSeed.merge(r.run() + "\u0000" + r.protocol() + "\u0000" + r.fraction() + "\u0000" + r.kind(), r.seed(), Math::min);
      }
    }
    for (RunResult r : results.results()) {
      if (r.images().isEmpty() || lowestSeed.get(r.run() + "\u0000" + r.protocol() + "\u0000" + r.fraction() + "\u0000" + r.kind()) != r.seed()) {
        continue;
      }
      for (int i = 0; i < r.images().size(); i++) {
        RunResult.PredictionImage image = r.images().get(i);
        String name = ("sample-" + r.run() + "-s" + r.seed() + "-" + r.protocol() + "-" + Math.round(r.fraction() * 100)
            + "-" + r.kind() + "-" + i + ".png").replaceAll("[^A-Za-z0-9._-]", "_");
        try {
          files.put(name, Files.readAllBytes(image.file()));
          names.put(image.file(), name);
        } catch (IOException e) {
          skipped.add(r.file() + ": field 'images[" + i + "].file': cannot read " + image.file() + ": " + e.getMessage()
              + "; image left out");
        }
      }
    }
    return new SamplePredictions(names, files, List.copyOf(skipped));
  }
}
