package dev.recap.bus;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a task's output is: the fixed vocabulary of {@link dev.recap.bus.msg.DeclaredOutput#getKind()}.
 * A task declares every file or directory it writes with one of these kinds, and later stages
 * find their inputs by kind, never by file name. The wire form is {@link #wireName()}
 * ({@code pairs-shard}, ...); docs/pipeline.md lists which task writes which kind.
 */
public enum OutputKind {

  /** A WebDataset tar of image-text pairs ({@code key.png}, {@code key.txt}, {@code key.json}). */
  PAIRS_SHARD("pairs-shard"),
  /**
   * A directory of dense-prediction data: an ADE20k-style {@code seg/}, an NYUv2-style
   * {@code depth/} of the same images, and {@code dense.json} with the class names.
   */
  DENSE_FOLDER("dense-folder"),
  /**
   * A directory indexing one split of a dense benchmark where it lies as published (ADE20k,
   * NYUv2): {@code dense.json} (format, task, class names, evaluation protocol, counts, skipped
   * files by reason) and {@code samples.tsv} (key, image and label paths relative to the
   * benchmark's root, size). Nothing is copied.
   */
  DENSE_INDEX("dense-index"),
  /** A JSON description of data or of a trained artifact (a shard's index range and count, a captioner's manifest). */
  MANIFEST("manifest"),
  /** An Avro sidecar of curated captions, one record per sample key. */
  CURATED_CAPTIONS("curated-captions"),
  /** An Avro sidecar of the captions a score filter dropped, with their scores. */
  FILTERED_CAPTIONS("filtered-captions"),
  /** The saved state directory of a trained captioner. */
  CAPTIONER_STATE("captioner-state"),
  /**
   * A directory holding a pretrained model as evaluation and scoring load it: the image tower's
   * parameters, for CLIP runs the whole model's and its tokenizer, the run spec, and a description.
   */
  TRAINED_RUN("trained-run"),
  /**
   * A {@link #TRAINED_RUN} directory saved partway through training (same layout; its description
   * adds the step and the training pairs seen), for probing how features improve with training.
   */
  TRAINED_RUN_SNAPSHOT("trained-run-snapshot"),
  /** A task's result JSON (docs/results.md); its text also travels in the task's result message. */
  RUN_RESULT("run-result"),
  /** A training loss curve, CSV with a {@code step,loss,...} header. */
  LOSS_CURVE("loss-curve"),
  /** A PNG: sample predictions, a chart. */
  IMAGE("image"),
  /** A rendered report (markdown, html) or a file it needs beside it (a script, a licence). */
  REPORT("report"),
  /**
   * What a data stage made of its input (a JSON object): samples read, kept, skipped by reason,
   * held out, and which of its outputs hold which pairs. The report shows it.
   */
  DATA_SUMMARY("data-summary"),
  /** A record of the task for people, read by no later stage (statistics, committed sample keys, a member's losses). */
  LOG("log");

  private final String wireName;

  OutputKind(String wireName) {
    this.wireName = wireName;
  }

  /** The name in messages, journals and docs, e.g. {@code pairs-shard}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The kind named {@code wireName}.
   *
   * @throws IllegalArgumentException naming the unknown kind and the known ones (a newer worker
   *     declared a kind this coordinator does not know: upgrade it)
   */
  public static OutputKind ofWireName(String wireName) {
    for (OutputKind k : values()) {
      if (k.wireName.equals(wireName)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown output kind '" + wireName + "'; known kinds: "
        + Arrays.stream(values()).map(OutputKind::wireName).collect(Collectors.joining(", "))
        + " (a worker newer than this node declared it: run the same Recap version everywhere)");
  }

  @Override
  public String toString() {
    return wireName;
  }
}
