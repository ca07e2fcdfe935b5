package dev.recap.plugins.denseheads;

import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * {@code fpn}: a light decoder for finetuning. Over an encoder with several dense levels it is an
 * FPN (1x1 laterals, top-down bilinear upsampling and addition, a 3x3 conv + BN + ReLU per
 * level); over a single level (a plain ViT) it first builds a ViTDet-style simple pyramid at
 * strides s/2, s and 2s (a 2x2 stride-2 transposed conv written as 1x1 conv + depth-to-space, identity, 2x2 max pool). The levels are then fused
 * as in UperNet's FPN fusion: all upsampled to the finest, concatenated, a 3x3 conv + BN + ReLU,
 * and a 1x1 conv to the task's channels, upsampled bilinearly to the image size.
 *
 * <p>Config: {@code width} (decoder channels, default 64), {@code depthLoss}, {@code silogLambda}.
 */
@Extension
public final class FpnHead implements DenseHead {

  @Override
  public String id() {
    return "fpn";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Map<String, PluginConfig> presets() {
    return Map.of("fpn-tiny", PluginConfig.of("width", 32), "fpn-small", PluginConfig.of("width", 64),
        "fpn-base", PluginConfig.of("width", 128));
  }

  @Override
  public boolean supports(DenseTask.Kind kind) {
    return true;
  }

  @Override
  public Model build(DenseTask task, List<FeatureLevel> levels, PluginConfig config) {
    HeadOutputs.checkLevels(id(), levels);
    int width = config.getInt("width", 64);
    if (width <= 0) {
      throw new IllegalArgumentException("config key 'width' must be positive, got " + width);
    }
    return new Model(new FpnDecoderBlock(task, levels, width), HeadOutputs.loss(task, config));
  }
}
