package dev.recap.plugins.denseheads;

import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * {@code linear}: the linear probe. Reads only the encoder's primary level (level 0): an optional
 * batch norm over the frozen features (as DINOv2's linear heads do, so the probe's learning rate
 * does not depend on the encoder's feature scale), a 1x1 convolution to one channel per class
 * (or one log-depth channel), and bilinear upsampling to the image size.
 *
 * <p>With {@code allLevels: true} the probe reads every level the encoder exposes, each resized
 * bilinearly to level 0's grid and concatenated along channels (for encoders that expose several
 * blocks' outputs: probing them together separates encoders more clearly than the last block
 * alone). Still linear in the features.
 *
 * <p>Config: {@code batchNorm} (default true), {@code allLevels} (default false),
 * {@code depthLoss} ({@code silog} or {@code l1}), {@code silogLambda} (default 0.85).
 */
@Extension
public final class LinearHead implements DenseHead {

  @Override
  public String id() {
    return "linear";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Map<String, PluginConfig> presets() {
    return Map.of("linear-bn", PluginConfig.of("batchNorm", true), "linear-plain", PluginConfig.of("batchNorm", false),
        "linear-all-levels", PluginConfig.of("batchNorm", true, "allLevels", true));
  }

  @Override
  public boolean supports(DenseTask.Kind kind) {
    return true;
  }

  @Override
  public Model build(DenseTask task, List<FeatureLevel> levels, PluginConfig config) {
    HeadOutputs.checkLevels(id(), levels);
    List<FeatureLevel> probed = config.getBoolean("allLevels", false) ? levels : List.of(levels.get(0));
    LinearProbeBlock block = new LinearProbeBlock(task, probed, config.getBoolean("batchNorm", true));
    return new Model(block, HeadOutputs.loss(task, config));
  }
}
