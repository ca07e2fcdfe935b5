package dev.recap.bus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The dense benchmarks a {@code dense-data} stage reads as they are published, and the folders
 * each split lives in under the benchmark's root. Shared by the coordinator (which checks the
 * layout at submission and maps a format to the dense task it serves) and the workers (which
 * list and pair the files), so both read the same layout.
 *
 * <ul>
 *   <li>{@link #ADE20K}: the {@code ADEChallengeData2016} folder of the ADE20k scene-parsing
 *       benchmark: {@code images/training/*.jpg} with {@code annotations/training/*.png}, and
 *       {@code images/validation} with {@code annotations/validation} for testing. Labels are 8-bit,
 *       0 = "other" (ignored), 1..150 the classes.
 *   <li>{@link #NYUV2}: the {@code nyu_depth_v2} folder as BTS prepares it (and AdaBins, ZoeDepth
 *       and Depth Anything reuse): {@code sync/<scene>/rgb_NNNNN.jpg} with
 *       {@code sync_depth_NNNNN.png} beside it for training, and the official test split extracted
 *       from the labelled set, {@code official_splits/test/<scene>/} with the same names, for
 *       testing. Depth is 16-bit PNG in millimetres, 0 = no measurement.
 * </ul>
 */
public enum DenseFormat {

  /** ADE20k scene parsing (ADEChallengeData2016): semantic segmentation, 150 classes. */
  ADE20K("ade20k", "segmentation", "images/training", "annotations/training", "images/validation",
      "annotations/validation"),
  /** NYU Depth v2 in BTS's layout: monocular depth, Eigen split. */
  NYUV2("nyuv2", "depth", "sync", "sync", "official_splits/test", "official_splits/test");

  private final String wireName;
  private final String task;
  private final String trainImages;
  private final String trainTargets;
  private final String testImages;
  private final String testTargets;

  DenseFormat(String wireName, String task, String trainImages, String trainTargets, String testImages, String testTargets) {
    this.wireName = wireName;
    this.task = task;
    this.trainImages = trainImages;
    this.trainTargets = trainTargets;
    this.testImages = testImages;
    this.testTargets = testTargets;
  }

  /** The name in job specs and payloads: {@code ade20k}, {@code nyuv2}. */
  public String wireName() {
    return wireName;
  }

  /** The evaluate task this benchmark serves: {@code segmentation} or {@code depth}. */
  public String task() {
    return task;
  }

  /** The folder under the root holding the images of {@code split} ({@code train} or {@code test}). */
  public String imageFolder(String split) {
    return isTrain(split) ? trainImages : testImages;
  }

  /** The folder under the root holding the labels of {@code split}; the image folder for NYUv2. */
  public String targetFolder(String split) {
    return isTrain(split) ? trainTargets : testTargets;
  }

  private static boolean isTrain(String split) {
    return switch (split) {
      case "train" -> true;
      case "test" -> false;
      default -> throw new IllegalArgumentException("a dense split is 'train' or 'test', got '" + split + "'");
    };
  }

  /**
   * The folders this layout needs that are missing under {@code root} (relative paths); empty
   * when the layout is there.
   */
  public List<String> missingFolders(Path root) {
    List<String> missing = new ArrayList<>();
    for (String folder : List.of(trainImages, trainTargets, testImages, testTargets)) {
      if (!missing.contains(folder) && !Files.isDirectory(root.resolve(folder))) {
        missing.add(folder);
      }
    }
    return missing;
  }

  /**
   * The format named {@code wireName}.
   *
   * @throws IllegalArgumentException naming the unknown format and the known ones
   */
  public static DenseFormat ofWireName(String wireName) {
    for (DenseFormat f : values()) {
      if (f.wireName.equals(wireName)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown dense format '" + wireName + "'; known: " + wireNames());
  }

  /** Every wire name, in declaration order. */
  public static List<String> wireNames() {
    return Arrays.stream(values()).map(DenseFormat::wireName).collect(Collectors.toList());
  }

  @Override
  public String toString() {
    return wireName;
  }
}
