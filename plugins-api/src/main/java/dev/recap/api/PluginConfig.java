package dev.recap.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable configuration map handed to a plugin, with typed getters whose errors name the
 * key and what was wrong with its value.
 *
 * <p>Values come from YAML job specs, so numbers may arrive as any {@link Number} and must be
 * read through the typed getters. A plugin's named presets are {@code PluginConfig}s too; a job
 * spec's overrides are applied on top with {@link #with(Map)}.
 */
public final class PluginConfig {

  private static final PluginConfig EMPTY = new PluginConfig(Map.of());

  private final Map<String, Object> values;

  private PluginConfig(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The empty configuration: every getter returns its default. */
  public static PluginConfig empty() {
    return EMPTY;
  }

  /** A configuration holding a copy of {@code values}; keys must not be null. */
  public static PluginConfig of(Map<String, ?> values) {
    Objects.requireNonNull(values, "values");
    Map<String, Object> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "config key"), v));
    return new PluginConfig(copy);
  }

  /** Convenience for presets: {@code PluginConfig.of("width", 128, "depth", 4)}. */
  public static PluginConfig of(Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("PluginConfig.of needs key/value pairs, got an odd count: " + keyValues.length);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
    }
    return new PluginConfig(map);
  }

  /** This configuration with {@code overrides} applied on top (override wins). */
  public PluginConfig with(Map<String, ?> overrides) {
    Map<String, Object> merged = new LinkedHashMap<>(values);
    merged.putAll(overrides);
    return new PluginConfig(merged);
  }

  /** This configuration with {@code other}'s entries applied on top. */
  public PluginConfig with(PluginConfig other) {
    return with(other.values);
  }

  /** This configuration with one entry set. */
  public PluginConfig with(String key, Object value) {
    Map<String, Object> merged = new LinkedHashMap<>(values);
    merged.put(key, value);
    return new PluginConfig(merged);
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public int getInt(String key, int defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return Math.toIntExact(n.longValue());
    }
    if (v instanceof String s) {
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw invalid(key, v, "a whole number");
  }

  public long getLong(String key, long defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw invalid(key, v, "a whole number");
  }

  public double getDouble(String key, double defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw invalid(key, v, "a number");
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw invalid(key, v, "true or false");
  }

  public String getString(String key, String defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    throw invalid(key, v, "a string");
  }

  /** A required string: fails naming the key when it is absent. */
  public String requireString(String key) {
    String v = getString(key, null);
    if (v == null) {
      throw new IllegalArgumentException("config key '" + key + "' is required but missing");
    }
    return v;
  }

  private static IllegalArgumentException invalid(String key, Object v, String expected) {
    return new IllegalArgumentException(
        "config key '" + key + "' must be " + expected + ", got " + v + " (" + v.getClass().getSimpleName() + ")");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PluginConfig other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
