package dev.recap.plugins.captioners;

import dev.recap.api.PluginConfig;

/** Integer config keys with a lower bound, read with an error that names the key. */
final class ConfigLimits {

  private ConfigLimits() {}

  /** {@code key}'s value ({@code dflt} when absent), which must be at least {@code min}. */
  static int atLeast(PluginConfig config, String key, int dflt, int min) {
    int v = config.getInt(key, dflt);
    if (v < min) {
      throw new IllegalArgumentException("config key '" + key + "' must be at least " + min + ", got " + v);
    }
    return v;
  }
}
