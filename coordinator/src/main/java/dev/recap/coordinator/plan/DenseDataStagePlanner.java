package dev.recap.coordinator.plan;

import dev.recap.bus.DenseFormat;
import dev.recap.bus.task.DenseDataTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The {@code dense-data} stage: a dense benchmark as published (ADE20k's
 * {@code ADEChallengeData2016}, NYUv2 in BTS's layout) as the evaluation data of the dense tasks,
 * indexed where it lies, nothing copied.
 *
 * <p>Parameters: {@code format} ({@code ade20k} or {@code nyuv2}, required), {@code root} (the
 * benchmark's folder, required; absolute, or relative to the folder of the spec file; the workers
 * must see it at the same path), {@code trainLimit} / {@code testLimit} (index at most this many
 * pairs of the split, spread evenly over it; default: all). The folder and its layout are checked
 * at submission and again when the stage is planned.
 *
 * <p>Tasks: {@code train} and {@code test}, each declaring a {@code dense-index} of its split
 * (ADE20k: training / validation; NYUv2: {@code sync/} / {@code official_splits/test/}).
 */
public final class DenseDataStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "dense-data";

  /** The task of each split, in plan order. */
  static final List<String> SPLITS = List.of("train", "test");

  private static final Set<String> PARAMS = Set.of("format", "root", "trainLimit", "testLimit");

  @Override
  public String kind() {
    return KIND;
  }

  private record Params(DenseFormat format, Path root, int trainLimit, int testLimit) {}

  /**
   * The parameters, with problems recorded on {@code check}; format or root null when unusable.
   *
   * @param folder the spec file's folder, against which a relative root resolves; null when the
   *     spec came from no file
   * @param files whether to look at the file system (the root's folder and layout)
   */
  private static Params read(StageSpec stage, SpecCheck check, Path folder, boolean files) {
    DenseFormat format = format(stage, check);
    Path root = null;
    String rootText = check.stringParam(stage, "root", null);
    if (!stage.params().containsKey("root") || (rootText != null && rootText.isBlank())) {
      check.problem(stage.field("root"), "is required: the folder of the benchmark as published"
          + " (ADEChallengeData2016 for ade20k, the folder holding sync/ and official_splits/ for nyuv2)");
    } else if (rootText != null) {
      try {
        Path given = Path.of(rootText);
        if (given.isAbsolute()) {
          root = given.normalize();
        } else if (folder != null) {
          root = folder.resolve(given).normalize();
        } else if (files) {
          check.problem(stage.field("root"), "'" + rootText + "' is a relative path, but this spec came from no file: give an"
              + " absolute path, or submit the spec file with recap run / recap submit, which resolve relative paths against"
              + " its folder");
        }
      } catch (InvalidPathException e) {
        check.problem(stage.field("root"), "is not a usable path: " + e.getMessage());
      }
    }
    if (files && format != null && root != null) {
      if (!Files.isDirectory(root)) {
        check.problem(stage.field("root"), "no folder at " + root + " (as the coordinator sees it); point root at the "
            + layoutName(format) + " folder");
        root = null;
      } else {
        List<String> missing = format.missingFolders(root);
        if (!missing.isEmpty()) {
          check.problem(stage.field("root"), root + " is not in the " + format + " layout: missing " + missing
              + " under it; point root at the " + layoutName(format) + " folder");
          root = null;
        }
      }
    }
    return new Params(format, root, check.intParam(stage, "trainLimit", 0, 1, Integer.MAX_VALUE),
        check.intParam(stage, "testLimit", 0, 1, Integer.MAX_VALUE));
  }

  private static String layoutName(DenseFormat format) {
    return switch (format) {
      case ADE20K -> "ADEChallengeData2016 (images/ and annotations/, each with training/ and validation/)";
      case NYUV2 -> "nyu_depth_v2 (sync/<scene>/rgb_NNNNN.jpg + sync_depth_NNNNN.png, official_splits/test/<scene>/ the same)";
    };
  }

  private static DenseFormat format(StageSpec stage, SpecCheck check) {
    Object v = stage.params().get("format");
    if (v == null) {
      check.problem(stage.field("format"), "is required: one of " + DenseFormat.wireNames());
      return null;
    }
    if (v instanceof String s) {
      try {
        return DenseFormat.ofWireName(s);
      } catch (IllegalArgumentException e) {
        check.problem(stage.field("format"), "must be one of " + DenseFormat.wireNames() + ", got '" + s + "'");
        return null;
      }
    }
    check.problem(stage.field("format"), "must be one of " + DenseFormat.wireNames() + ", got " + SpecCheck.describe(v));
    return null;
  }

  /**
   * The format of a dense-data stage, or null if its {@code format} is missing or unknown (its own
   * validation reports that).
   */
  static DenseFormat formatOf(StageSpec stage) {
    return format(stage, PipelineParams.reading());
  }

  /** Parameter shapes only; the job-aware check also looks at the folder. */
  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    read(stage, check, null, false);
  }

  /** As {@link #validate(StageSpec, SpecCheck)}, and the root must be a folder in the format's layout now. */
  @Override
  public void validate(StageSpec stage, JobSpec job, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    read(stage, check, job.folder(), true);
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    Params p = read(stage, check, input.job().folder(), true);
    PipelineParams.requireOk(check, stage);
    return List.of(task(p, "train", p.trainLimit), task(p, "test", p.testLimit));
  }

  private static PlannedTask task(Params p, String split, int limit) {
    return new PlannedTask(split, KIND, new DenseDataTask(p.format.wireName(), p.root.toString(), split, limit), Set.of());
  }
}
