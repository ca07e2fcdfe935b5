package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.DatasetTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code dataset} stage: image-text pairs from the user's WebDataset shards (img2dataset's
 * layout: {@code key.jpg|png|webp}, {@code key.txt}, {@code key.json}), for every stage that
 * reads pairs ({@code curate}, {@code train-captioner}, {@code pretrain}, {@code pretrain-gang},
 * {@code evaluate}'s retrieval) in place of {@code synth-data}.
 *
 * <p>Parameters: {@code shards} (required: a brace pattern {@code data/{00000..00127}.tar}, a glob
 * {@code data/*.tar}, a path, or a list of them; relative paths resolve against the spec file's
 * folder), {@code heldOut} (pairs kept out of training for retrieval, chosen by key; default 0)
 * or {@code heldOutShards} (shards whose pairs are all held out; same forms as {@code shards}),
 * {@code caption} ({@code txt}, the default, or {@code json:<field>}), {@code referenceCaption}
 * (optional {@code json:<field>} of a trusted caption; the pairs that have one train the learned
 * captioner), {@code dataSeed} (seed of the held-out choice; default the job's seed). Every
 * pattern must match files at submission; problems name the field and the path looked for.
 *
 * <p>One task, {@code pairs}, scans every shard (docs/pipeline.md); its result says which of its
 * declared {@code pairs-shard} outputs hold the training, held-out and reference pairs, and
 * {@link #pairs} reads that for the stages after it.
 */
public final class DatasetStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "dataset";

  /** The stage's one task. */
  static final String TASK = "pairs";

  private static final Set<String> PARAMS = Set.of("shards", "heldOut", "heldOutShards", "caption", "referenceCaption",
      "dataSeed");

  /** {@code txt} or {@code json:<field>}, a dotted field for nested objects (the worker's CaptionField reads it). */
  private static final String CAPTION_FORM = "txt|json:[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*";

  @Override
  public String kind() {
    return KIND;
  }

  private record Params(List<Path> shards, List<Path> heldOutShards, int heldOut, String caption, String referenceCaption,
      Long dataSeed) {}

  /** The parameters, the shard patterns resolved against {@code folder} (null: relative paths are problems). */
  private static Params read(StageSpec stage, SpecCheck check, Path folder) {
    Object shardsValue = stage.params().get("shards");
    List<Path> shards = shardsValue == null ? List.of()
        : ShardPatterns.resolve(check, stage.field("shards"), shardsValue, folder);
    List<Path> heldOutShards = stage.params().containsKey("heldOutShards")
        ? ShardPatterns.resolve(check, stage.field("heldOutShards"), stage.params().get("heldOutShards"), folder) : List.of();
    for (Path p : heldOutShards) {
      if (shards.contains(p)) {
        check.problem(stage.field("heldOutShards"), p + " is also in shards: a held-out pair must not train; take it out of one");
      }
    }
    Long seed = stage.params().containsKey("dataSeed") ? check.longParam(stage, "dataSeed", 0) : null;
    return new Params(shards, heldOutShards, check.intParam(stage, "heldOut", 0, 0, 10_000_000),
        check.stringParam(stage, "caption", "txt"), check.stringParam(stage, "referenceCaption", null), seed);
  }

  /** What can be checked without the file system. */
  private static void checkShapes(StageSpec stage, SpecCheck check) {
    if (stage.params().get("shards") == null) {
      check.problem(stage.field("shards"), "is required: the WebDataset shards, e.g. data/{00000..00127}.tar, data/*.tar or a list");
    }
    if (check.intParam(stage, "heldOut", 0, 0, 10_000_000) > 0 && stage.params().containsKey("heldOutShards")) {
      check.problem(stage.field("heldOut"), "set heldOut (pairs chosen from the shards) or heldOutShards (whole shards), not both");
    }
    String caption = check.stringParam(stage, "caption", "txt");
    if (!caption.matches(CAPTION_FORM)) {
      check.problem(stage.field("caption"), "must be txt (key.txt) or json:<field> (a field of key.json, e.g. json:caption),"
          + " got '" + caption + "'");
    }
    String reference = check.stringParam(stage, "referenceCaption", null);
    if (reference != null && !(reference.startsWith("json:") && reference.matches(CAPTION_FORM))) {
      check.problem(stage.field("referenceCaption"), "must be json:<field>, the field of key.json holding a trusted caption"
          + " (e.g. json:reference), got '" + reference + "'");
    }
  }

  /** Parameter shapes only; the job-aware check also finds the files. */
  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    checkShapes(stage, check);
  }

  /** As {@link #validate(StageSpec, SpecCheck)}, and every pattern must name readable files now. */
  @Override
  public void validate(StageSpec stage, JobSpec job, SpecCheck check) {
    validate(stage, check);
    SpecCheck files = new SpecCheck(null);
    read(stage, files, job.folder());
    files.problems().forEach(p -> check.problem(p.field(), p.message()));
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    checkShapes(stage, check);
    Params p = read(stage, check, input.job().folder());
    PipelineParams.requireOk(check, stage);
    DatasetTask task = DatasetTask.newBuilder()
        .setShards(p.shards.stream().map(Path::toString).toList())
        .setHeldOutShards(p.heldOutShards.stream().map(Path::toString).toList())
        .setHeldOut(p.heldOut).setCaption(p.caption).setReferenceCaption(p.referenceCaption)
        .setDataSeed(p.dataSeed != null ? p.dataSeed : input.job().seed()).build();
    return List.of(new PlannedTask(TASK, KIND, task, Set.of()));
  }

  /** Whether the stage keeps pairs out of training for retrieval. */
  static boolean holdsOut(StageSpec stage) {
    Object n = stage.params().get("heldOut");
    return n instanceof Number number && number.longValue() > 0 || stage.params().containsKey("heldOutShards");
  }

  /** Whether the stage's pairs carry a trusted caption (some of them). */
  static boolean hasReferences(StageSpec stage) {
    return stage.params().get("referenceCaption") != null;
  }

  /**
   * The pairs a dataset stage wrote, as its task's result lists them ({@code outputs: {train,
   * heldOut, reference}}), each checked against what the task declared as {@code pairs-shard}.
   * Training shards are named {@code 00000, 00001, ...} in the result's order.
   */
  static ImageTextData pairs(PlanningInput input, StageSpec stage) {
    TaskOutputs task = input.tasksOf(stage.name()).get(TASK);
    if (task == null || task.result() == null) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' (kind " + KIND + ") has no result of its task '" + TASK
          + "' to read its pairs from; its tasks: " + input.tasksOf(stage.name()).keySet());
    }
    Set<String> declared = new LinkedHashSet<>();
    task.ofKind(OutputKind.PAIRS_SHARD).forEach(d -> declared.add(d.getPath()));
    JsonObject outputs;
    try {
      outputs = new JsonObject(task.result()).getJsonObject("outputs");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("task " + stage.name() + "/" + TASK + ": its result is not JSON with an 'outputs' object: "
          + e.getMessage(), e);
    }
    if (outputs == null) {
      throw new IllegalArgumentException("task " + stage.name() + "/" + TASK + ": its result has no 'outputs' {train, heldOut,"
          + " reference}");
    }
    Map<String, Path> training = new LinkedHashMap<>();
    List<Path> train = listed(outputs, "train", declared, stage);
    for (int i = 0; i < train.size(); i++) {
      training.put(String.format(Locale.ROOT, "%05d", i), train.get(i));
    }
    return new ImageTextData(stage, training, listed(outputs, "heldOut", declared, stage),
        listed(outputs, "reference", declared, stage));
  }

  private static List<Path> listed(JsonObject outputs, String role, Set<String> declared, StageSpec stage) {
    List<Path> out = new ArrayList<>();
    JsonArray list = outputs.getJsonArray(role, new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      String path = list.getString(i);
      if (!declared.contains(path)) {
        throw new IllegalArgumentException("task " + stage.name() + "/" + TASK + " lists " + path + " as " + role + " pairs in its"
            + " result but did not declare it as " + OutputKind.PAIRS_SHARD + " (declared: " + declared + ")");
      }
      out.add(Path.of(path));
    }
    return out;
  }
}
