package dev.recap.plugins.mci;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The {@code mci} image encoder: MobileCLIP's MCi towers (see {@link MciTower}).
 *
 * <p>Config keys: {@code layers} and {@code dims} (4 entries each; default mci0),
 * {@code mlpRatio} 3, {@code headDim} 32, {@code projectionDim} 0, {@code layerScaleInit} 1e-5,
 * {@code reparameterized} false, {@code dense} {@code stage3} (level 0 at stride 16) |
 * {@code stride8} (stage 2 with stage 3 upsampled; see {@link MciTower}). Presets {@code mci0}
 * (2,6,10,2; 64,128,256,512), {@code mci1} (4,12,20,4; same dims), {@code mci2} (4,12,24,4;
 * 80,160,320,640), and for CPU runs {@code mci-tiny} (1,1,1,1; 16,32,64,128; 283,120 parameters)
 * and {@code mci-micro} (1,1,2,1; 10,20,40,80; head width 20; 135,052 parameters, 6.1x fewer than
 * the {@code vit} plugin's {@code vit-tiny}, the ratio at which MobileCLIP's paper reports its
 * mobile encoder matching a larger one).
 *
 * <p>Train with the multi-branch structure; {@link #inferenceTower} fuses it into single
 * convolutions (structural reparameterization) with the same inference-mode output.
 *
 * <p>{@link #exportName} gives the names of Apple's MobileCLIP image encoder
 * ({@code image_encoder.model.*}, see {@link MobileClipNames}) and {@link #exportConfig} its
 * {@code image_cfg}.
 */
@Extension
public final class MciEncoder implements ImageEncoder {

  private static final Map<String, PluginConfig> PRESETS = definePresets();

  private static Map<String, PluginConfig> definePresets() {
    Map<String, PluginConfig> p = new LinkedHashMap<>();
    p.put("mci0", PluginConfig.of("layers", List.of(2, 6, 10, 2), "dims", List.of(64, 128, 256, 512)));
    p.put("mci1", PluginConfig.of("layers", List.of(4, 12, 20, 4), "dims", List.of(64, 128, 256, 512)));
    p.put("mci2", PluginConfig.of("layers", List.of(4, 12, 24, 4), "dims", List.of(80, 160, 320, 640)));
    p.put("mci-tiny", PluginConfig.of("layers", List.of(1, 1, 1, 1), "dims", List.of(16, 32, 64, 128)));
    p.put("mci-micro", PluginConfig.of("layers", List.of(1, 1, 2, 1), "dims", List.of(10, 20, 40, 80), "headDim", 20));
    return Collections.unmodifiableMap(p);
  }

  @Override
  public String id() {
    return "mci";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Map<String, PluginConfig> presets() {
    return PRESETS;
  }

  /** {@code stage3} (stride 16) and {@code stride8} (stage 2 with stage 3 upsampled). */
  @Override
  public List<String> denseModes() {
    return List.of("stage3", "stride8");
  }

  @Override
  public ImageTower build(PluginConfig config) {
    MciConfig c = MciConfig.from(config);
    return new ImageTower(new MciTower(c), c.embeddingDim(), MciTower.levels(c), 32);
  }

  @Override
  public String exportName(String djlParameterName) {
    return MobileClipNames.of(djlParameterName);
  }

  /**
   * MobileCLIP's {@code image_cfg}: {@code model_name} ({@code mci0}, {@code mci1} or
   * {@code mci2} when the shape is one of the reference's, else null), and the shape itself,
   * which the reference's configs leave to the model name: {@code layers}, {@code embed_dims},
   * {@code mlp_ratio}, {@code head_dim} (the reference's attention always uses 32),
   * {@code projection_dim} (0: the CLIP model's projection is {@code head.proj}).
   */
  @Override
  public Map<String, Object> exportConfig(PluginConfig config) {
    MciConfig c = MciConfig.from(config);
    String name = null;
    for (String reference : List.of("mci0", "mci1", "mci2")) {
      MciConfig r = MciConfig.from(PRESETS.get(reference));
      if (Arrays.equals(r.layers(), c.layers()) && Arrays.equals(r.dims(), c.dims()) && r.mlpRatio() == c.mlpRatio()
          && r.headDim() == c.headDim()) {
        name = reference;
      }
    }
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("model_name", name);
    cfg.put("layers", Arrays.stream(c.layers()).boxed().toList());
    cfg.put("embed_dims", Arrays.stream(c.dims()).boxed().toList());
    cfg.put("mlp_ratio", c.mlpRatio());
    cfg.put("head_dim", c.headDim());
    cfg.put("projection_dim", c.projectionDim());
    return cfg;
  }

  /**
   * The reparameterized tower: every MobileOne, large-kernel, RepMixer and positional-encoding
   * block fused into one convolution with bias, other parameters copied. Equal to
   * {@code trained} in inference mode up to float rounding.
   */
  @Override
  public ImageTower inferenceTower(PluginConfig config, ImageTower trained, NDManager manager) {
    PluginConfig resolved = resolve(config);
    if (MciConfig.from(resolved).reparameterized()) {
      return trained;
    }
    ImageTower fused = build(resolved.with("reparameterized", true));
    Reparameterization.transfer(trained.block(), fused.block());
    fused.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
    return fused;
  }
}
