package dev.recap.api.dense;

import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;

/**
 * Extension point: a dense prediction head (linear probe, light decoder, ...) on an image
 * encoder's dense feature maps.
 */
public interface DenseHead extends NamedPlugin {

  /** Whether this head can be built for {@code kind}; {@link #build} refuses other kinds. */
  boolean supports(DenseTask.Kind kind);

  /**
   * Builds a head.
   *
   * @param task what to predict
   * @param levels the encoder's dense levels ({@link dev.recap.api.encoder.ImageTower#featureLevels()})
   * @param config resolved configuration
   * @throws IllegalArgumentException for an unsupported task or a bad config value (naming the key)
   */
  Model build(DenseTask task, List<FeatureLevel> levels, PluginConfig config);

  /**
   * A built head.
   *
   * <p>Contract of {@link #block()}: input {@code NDList(dense_0, ..., dense_k)} as the encoder
   * produced them; output {@code NDList(prediction)} at the input image resolution: class logits
   * {@code [B, K, H, W]} for segmentation, positive depth in metres {@code [B, 1, H, W]} for
   * depth. The image size is {@code levels.get(0).stride()} times the level-0 map size.
   *
   * @param block the head
   * @param loss its training loss: labels {@code NDList(target)} with target {@code [B, H, W]}
   *     (int class ids, {@link DenseTask#IGNORE_CLASS} ignored; or float metres,
   *     {@link DenseTask#INVALID_DEPTH} invalid), predictions as above. The standard ones are
   *     {@link SegmentationCrossEntropy}, {@link ScaleInvariantLogLoss} and {@link MaskedL1Loss};
   *     the conformance kit ({@code dev.recap.api.conformance.DenseHeadConformance} in the
   *     test-jar) checks any head against this contract
   */
  record Model(Block block, Loss loss) {}
}
