package dev.recap.plugins.synthscenes;

import dev.recap.api.PluginConfig;
import dev.recap.api.data.SampleSource;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The {@code synth-scenes} sample source. Configuration keys: see {@link SceneOptions}
 * ({@code size}, {@code minObjects}, {@code maxObjects}, {@code altUnrelated},
 * {@code altPartial}, {@code altCorrect}, {@code noise}, {@code depthScale}). Presets:
 * {@code synth-64}, {@code synth-224}.
 *
 * <p>Class ids of the class map: 0 sky, 1 ground, 2 circle, 3 square, 4 triangle, 5 diamond,
 * 6 cross, 7 ring, 8 bar. Depth: metres in whole millimetres; the sky is 0 (invalid); the ground
 * is capped at 80 m; objects stand 3-12 m away (all times {@code depthScale}).
 */
@Extension
public final class SynthScenes implements SampleSource {

  @Override
  public String id() {
    return "synth-scenes";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Map<String, PluginConfig> presets() {
    return Map.of(
        "synth-64", PluginConfig.of("size", 64),
        "synth-224", PluginConfig.of("size", 224));
  }

  @Override
  public SceneGenerator open(PluginConfig config, long seed) {
    return new SceneGenerator(SceneOptions.from(resolve(config)), seed);
  }
}
