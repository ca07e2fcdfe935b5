package dev.recap.api;

import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * What every Recap extension shares: a stable id that job specs name, a version that results
 * record, and named presets.
 */
public interface NamedPlugin extends ExtensionPoint {

  /** The id job specs use, e.g. {@code "vit"}; lower case, stable across versions. */
  String id();

  /** The version recorded beside every result this extension produces. */
  default String version() {
    return "0";
  }

  /** Named configurations, e.g. {@code "vit-tiny"}; may be empty. */
  default Map<String, PluginConfig> presets() {
    return Map.of();
  }

  /**
   * Resolves a configuration: the named preset (if {@code config} has a {@code preset} key) with
   * the other keys of {@code config} applied on top.
   *
   * @throws IllegalArgumentException naming the unknown preset and the known ones
   */
  default PluginConfig resolve(PluginConfig config) {
    String preset = config.getString("preset", null);
    if (preset == null) {
      return config;
    }
    PluginConfig base = presets().get(preset);
    if (base == null) {
      throw new IllegalArgumentException(
          "unknown preset '" + preset + "' for " + id() + "; known presets: " + presets().keySet());
    }
    return base.with(config);
  }
}
