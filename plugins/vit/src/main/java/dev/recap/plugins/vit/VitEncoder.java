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
 * embedding is learned on), {@code dense} {@code last} | {@code blocks}. Presets:
 * {@code vit-tiny} (patch 8, width 128, depth 4, heads 4, 64 px; for CPU tests),
 * {@code vit-s-16} (384 wide, 12 deep, 6 heads) and {@code vit-b-16}.
 *
 * <p>Output: pooled {@code [B, width]} (final-LN class token) and one dense level at stride
 * {@code patch}. {@link #exportName} gives OpenCLIP's {@code visual.*} names.
 */
@Extension
public final class VitEncoder implements ImageEncoder {

  private static final Map<String, PluginConfig> PRESETS = definePresets();

  private static Map<String, PluginConfig> definePresets() {
    Map<String, PluginConfig> p = new LinkedHashMap<>();
    p.put("vit-tiny", PluginConfig.of("patch", 8, "width", 128, "depth", 4, "heads", 4, "mlpRatio", 4.0, "imageSize", 64));
    p.put("vit-s-16", PluginConfig.of("patch", 16, "width", 384, "depth", 12, "heads", 6, "mlpRatio", 4.0, "imageSize", 224));
    p.put("vit-b-16", PluginConfig.of("patch", 16, "width", 768, "depth", 12, "heads", 12, "mlpRatio", 4.0, "imageSize", 224));
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
}
