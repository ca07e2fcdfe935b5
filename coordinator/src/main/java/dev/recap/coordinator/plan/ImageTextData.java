package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The image-text pairs a stage reads: the data stage in its {@code after} list ({@code synth-data}
 * or {@code dataset}) and the {@code pairs-shard}s that stage declared, by role.
 *
 * @param stage the data stage
 * @param training the training shards by shard name ({@code 00000}, ...), in order
 * @param heldOut the shards of the pairs kept out of training, for retrieval (empty if none)
 * @param reference the shards of the pairs with a trusted ({@code quality}) caption, for training a captioner (empty if none)
 */
record ImageTextData(StageSpec stage, Map<String, Path> training, List<Path> heldOut, List<Path> reference) {

  ImageTextData {
    training = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(training));
    heldOut = List.copyOf(heldOut);
    reference = List.copyOf(reference);
  }

  /**
   * The training shards in order.
   *
   * @throws IllegalArgumentException naming the data stage if it declared none
   */
  List<Path> trainingShards() {
    if (training.isEmpty()) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' (kind " + stage.kind() + ") declared no training pairs");
    }
    return List.copyOf(training.values());
  }

  /** Whether the pairs carry object annotations (what {@code grounded} captions from): the synthetic scenes do. */
  boolean annotated() {
    return stage.kind().equals(SynthDataStagePlanner.KIND);
  }
}
