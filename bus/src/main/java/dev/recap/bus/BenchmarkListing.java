package dev.recap.bus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Lists the image/label pairs of one split of a dense benchmark as published, without reading
 * them. The layouts (folders per split: {@link DenseFormat}):
 *
 * <ul>
 *   <li>ADE20k: every {@code <key>.jpg} in the split's image folder, paired with
 *       {@code <key>.png} in its annotation folder.
 *   <li>NYUv2 (BTS): every {@code <scene>/rgb_NNNNN.jpg} in the split's folder, paired with
 *       {@code <scene>/sync_depth_NNNNN.png} beside it; the key is {@code <scene>_NNNNN}.
 * </ul>
 * Pairs come sorted by image path. A pair whose label file is missing is listed with a null
 * target, so the caller can skip it with a reason. Shared by the workers (which index the pairs)
 * and {@code recap assess} (which counts them and reads one label's size to size its probes).
 */
public final class BenchmarkListing {

  /** One listed pair: paths relative to the benchmark's root ({@code /}-separated); target null when missing. */
  public record Candidate(String key, String image, String target) {}

  private static final Pattern NYU_RGB = Pattern.compile("rgb_(\\d+)\\.(jpg|jpeg|png)");
  private static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png");

  private BenchmarkListing() {}

  /**
   * The pairs of {@code split} ({@code train} or {@code test}) under {@code root}.
   *
   * @throws IOException if a folder of the layout cannot be listed
   */
  public static List<Candidate> list(DenseFormat format, Path root, String split) throws IOException {
    return switch (format) {
      case ADE20K -> ade20k(root, format.imageFolder(split), format.targetFolder(split));
      case NYUV2 -> nyuv2(root, format.imageFolder(split));
    };
  }

  private static List<Candidate> ade20k(Path root, String imageFolder, String targetFolder) throws IOException {
    List<Candidate> out = new ArrayList<>();
    for (Path image : sortedFiles(root.resolve(imageFolder))) {
      String file = image.getFileName().toString();
      int dot = file.lastIndexOf('.');
      if (dot <= 0 || !IMAGE_EXTENSIONS.contains(file.substring(dot + 1).toLowerCase(Locale.ROOT))) {
        continue;
      }
      String key = file.substring(0, dot);
      String target = targetFolder + "/" + key + ".png";
      out.add(new Candidate(key, imageFolder + "/" + file, Files.isRegularFile(root.resolve(target)) ? target : null));
    }
    return out;
  }

  private static List<Candidate> nyuv2(Path root, String folder) throws IOException {
    List<Candidate> out = new ArrayList<>();
    for (Path scene : sortedFiles(root.resolve(folder))) {
      if (!Files.isDirectory(scene)) {
        continue;
      }
      String sceneName = scene.getFileName().toString();
      for (Path image : sortedFiles(scene)) {
        Matcher m = NYU_RGB.matcher(image.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        String relative = folder + "/" + sceneName + "/";
        String target = relative + "sync_depth_" + m.group(1) + ".png";
        out.add(new Candidate(sceneName + "_" + m.group(1), relative + image.getFileName(),
            Files.isRegularFile(root.resolve(target)) ? target : null));
      }
    }
    return out;
  }

  private static List<Path> sortedFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }

  /**
   * At most {@code limit} of {@code listed}, spread evenly over it (positions
   * {@code floor(i * n / limit)}), so a subset of a listing sorted by scene still covers every
   * part of it; all of them when {@code limit} is 0 or not below the size.
   */
  public static List<Candidate> evenly(List<Candidate> listed, int limit) {
    int n = listed.size();
    if (limit <= 0 || limit >= n) {
      return listed;
    }
    List<Candidate> out = new ArrayList<>(limit);
    for (int i = 0; i < limit; i++) {
      out.add(listed.get((int) ((long) i * n / limit)));
    }
    return out;
  }
}
