package dev.recap.worker.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Sample predictions side by side: for one setting and task, the same test images in rows, and
 * in columns the input, the ground truth, then each run's prediction. Cut from the evaluation's
 * strips (input | truth | prediction, 2 px white gaps), which every run writes for the same first
 * test images; the input and truth come from the first run that has the row.
 *
 * @param setting protocol and fraction
 * @param task segmentation or depth
 * @param runs the prediction columns, in report order
 * @param rows per image index: cell file names ("input", "truth", then one per run; null: none)
 */
public record PredictionGrid(ExperimentResults.Setting setting, String task, List<String> runs,
    List<Map<String, String>> rows) {

  private static final int GAP = 2;

  /** The grids of every setting and task with prediction images, and the cut images by name. */
  public record Grids(List<PredictionGrid> grids, Map<String, byte[]> files) {}

  public static Grids cut(ExperimentResults results, SamplePredictions samples) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Map<String, Map<Integer, Map<String, String>>> byGroup = new LinkedHashMap<>();
    Map<String, List<String>> runsOfGroup = new LinkedHashMap<>();
    Map<String, RunResult> example = new LinkedHashMap<>();
    for (ExperimentResults.Setting setting : results.settings()) {
      for (ExperimentResults.RunInfo run : results.runs()) {
        for (RunResult r : results.results()) {
          if (!r.run().equals(run.run()) || !r.protocol().equals(setting.protocol()) || r.fraction() != setting.fraction()) {
            continue;
          }
          for (int i = 0; i < r.images().size(); i++) {
            String name = samples.names().get(r.images().get(i).file());
            if (name == null) {
              continue; // not the lowest seed, or unreadable (listed by SamplePredictions)
            }
            BufferedImage strip;
            try {
              strip = ImageIO.read(new ByteArrayInputStream(samples.files().get(name)));
            } catch (IOException e) {
              strip = null;
            }
            int w = strip == null ? 0 : (strip.getWidth() - 2 * GAP) / 3;
            if (strip == null || w <= 0 || 3 * w + 2 * GAP != strip.getWidth()) {
              continue; // not an input | truth | prediction strip: shown as it is among all sample images
            }
            String group = setting.protocol() + "\u0000" + setting.fraction() + "\u0000" + r.kind();
            example.putIfAbsent(group, r);
            Map<String, String> row = byGroup.computeIfAbsent(group, g -> new TreeMap<>())
                .computeIfAbsent(i, k -> new LinkedHashMap<>());
            String base = "grid-" + name.substring("sample-".length(), name.length() - ".png".length());
            if (!row.containsKey("input")) {
              row.put("input", put(files, base + "-input.png", strip.getSubimage(0, 0, w, strip.getHeight())));
              row.put("truth", put(files, base + "-truth.png", strip.getSubimage(w + GAP, 0, w, strip.getHeight())));
            }
            row.put(run.run(), put(files, base + "-prediction.png",
                strip.getSubimage(2 * (w + GAP), 0, w, strip.getHeight())));
            List<String> runs = runsOfGroup.computeIfAbsent(group, g -> new ArrayList<>());
            if (!runs.contains(run.run())) {
              runs.add(run.run());
            }
          }
        }
      }
    }
    List<PredictionGrid> grids = new ArrayList<>();
    byGroup.forEach((group, rows) -> {
      RunResult r = example.get(group);
      grids.add(new PredictionGrid(new ExperimentResults.Setting(r.protocol(), r.fraction()), r.kind(),
          List.copyOf(runsOfGroup.get(group)), List.copyOf(rows.values())));
    });
    return new Grids(List.copyOf(grids), files);
  }

  private static String put(Map<String, byte[]> files, String name, BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
      copy.getGraphics().drawImage(image, 0, 0, null);
      ImageIO.write(copy, "png", out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    files.put(name, out.toByteArray());
    return name;
  }

  /** The grid's column headings: input, ground truth, then the runs. */
  public List<String> headings() {
    List<String> h = new ArrayList<>(List.of("input", "ground truth"));
    h.addAll(runs);
    return h;
  }

  /** The cell file names of a row in heading order (null where a run has no image). */
  public List<String> cells(Map<String, String> row) {
    List<String> c = new ArrayList<>();
    c.add(row.get("input"));
    c.add(row.get("truth"));
    runs.forEach(r -> c.add(row.get(r)));
    return c;
  }
}
