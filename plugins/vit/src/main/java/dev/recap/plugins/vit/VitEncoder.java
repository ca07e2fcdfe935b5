package dev.recap.plugins.vit;

import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The {@code vit} image encoder: a pre-LN Vision Transformer (see {@link VisionTransformer}).
 *
 * <p>Config keys (defaults are ViT-B/16): {@code patch} 16, {@code width} 768, {@code depth} 12,
 * {@code heads} 12, {@code mlpRatio} 4.0, {@code imageSize} 224 (the grid the positional
 * embedding is learned on), {@code dense} {@code last} | {@code blocks}, {@code activation}
 * {@code gelu} | {@code quick_gelu}. Presets: {@code vit-tiny} (patch 8, width 128, depth 4,
 * heads 4, 64 px; for CPU tests), {@code vit-s-16} and {@code vit-s-32} (384 wide, 12 deep, 6
 * heads), {@code vit-b-16} and {@code vit-b-32} (768 wide, 12 deep, 12 heads): the towers of
 * OpenCLIP's ViT-S-16, ViT-S-32, ViT-B-16 and ViT-B-32.
 *
 * <p>Output: pooled {@code [B, width]} (final-LN class token) and one dense level at stride
 * {@code patch}. {@link #exportName} gives OpenCLIP's {@code visual.*} names and
 * {@link #exportConfig} its {@code vision_cfg}.
 */
@Extension
public final class VitEncoder implements ImageEncoder {

  private static final Map<String, PluginConfig> PRESETS = definePresets();

  private static Map<String, PluginConfig> definePresets() {
    Map<String, PluginConfig> p = new LinkedHashMap<>();
    p.put("vit-tiny", PluginConfig.of("patch", 8, "width", 128, "depth", 4, "heads", 4, "mlpRatio", 4.0, "imageSize", 64));
    p.put("vit-s-16", PluginConfig.of("patch", 16, "width", 384, "depth", 12, "heads", 6, "mlpRatio", 4.0, "imageSize", 224));
    p.put("vit-s-32", PluginConfig.of("patch", 32, "width", 384, "depth", 12, "heads", 6, "mlpRatio", 4.0, "imageSize", 224));
    p.put("vit-b-16", PluginConfig.of("patch", 16, "width", 768, "depth", 12, "heads", 12, "mlpRatio", 4.0, "imageSize", 224));
    p.put("vit-b-32", PluginConfig.of("patch", 32, "width", 768, "depth", 12, "heads", 12, "mlpRatio", 4.0, "imageSize", 224));
    return Collections.unmodifiableMap(p);
  }

  @Override
  public String id() {
    return "vit";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Map<String, PluginConfig> presets() {
    return PRESETS;
  }

  /** {@code last} (final tokens after {@code ln_post}) and {@code blocks} (every block's tokens). */
  @Override
  public List<String> denseModes() {
    return List.of("last", "blocks");
  }

  @Override
  public ImageTower build(PluginConfig config) {
    VitConfig c = VitConfig.from(config);
    return new ImageTower(new VisionTransformer(c), c.width(), List.of(new FeatureLevel(c.denseChannels(), c.patch())),
        c.patch());
  }

  @Override
  public String exportName(String djlParameterName) {
    return OpenClipNames.of(djlParameterName);
  }

  /**
   * OpenCLIP's {@code vision_cfg}: {@code image_size}, {@code layers}, {@code width},
   * {@code patch_size}, {@code head_width} (width / heads; OpenCLIP derives the heads from it) and
   * {@code mlp_ratio}. The activation is not part of it: OpenCLIP sets {@code quick_gelu} for the
   * whole model.
   */
  @Override
  public Map<String, Object> exportConfig(PluginConfig config) {
    VitConfig c = VitConfig.from(config);
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("image_size", c.imageSize());
    cfg.put("layers", c.depth());
    cfg.put("width", c.width());
    cfg.put("patch_size", c.patch());
    cfg.put("head_width", c.width() / c.heads());
    cfg.put("mlp_ratio", c.mlpRatio());
    return cfg;
  }
}
