package dev.recap.coordinator.plugin;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * A plugin jar's PF4J identity, read the way PF4J reads it: the manifest's {@code Plugin-Id} and
 * {@code Plugin-Version}, else a {@code plugin.properties} at the jar's root ({@code plugin.id},
 * {@code plugin.version}). The coordinator reads it without PF4J on its class path.
 */
public record PluginDescriptor(String pluginId, String version) {

  /**
   * Reads the descriptor of the jar {@code bytes}.
   *
   * @param name what the user called the jar (its file name), for the error
   * @throws PluginRejectedException naming the jar when it is not a jar or has no plugin id or version
   */
  public static PluginDescriptor read(byte[] bytes, String name) {
    String id = null;
    String version = null;
    boolean anyEntry = false;
    try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(bytes))) {
      Manifest manifest = jar.getManifest();
      if (manifest != null) {
        anyEntry = true;
        Attributes a = manifest.getMainAttributes();
        id = blankToNull(a.getValue("Plugin-Id"));
        version = blankToNull(a.getValue("Plugin-Version"));
      }
      for (JarEntry e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
        anyEntry = true;
        if (id == null && e.getName().equals("plugin.properties")) {
          Properties p = new Properties();
          p.load(nonClosing(jar));
          id = blankToNull(p.getProperty("plugin.id"));
          version = blankToNull(p.getProperty("plugin.version"));
        }
      }
    } catch (IOException | SecurityException e) {
      throw new PluginRejectedException("'" + name + "' is not a readable jar: " + e.getMessage(), false);
    }
    if (!anyEntry) {
      throw new PluginRejectedException("'" + name + "' is not a jar (no manifest, no entries)", false);
    }
    if (id == null || version == null) {
      throw new PluginRejectedException("'" + name + "' has no PF4J plugin descriptor: its manifest needs Plugin-Id and"
          + " Plugin-Version (or a plugin.properties with plugin.id and plugin.version); missing "
          + (id == null ? "the plugin id" : "the plugin version") + " (docs/extending.md)", false);
    }
    if (!SAFE_NAME.matcher(id).matches() || !SAFE_NAME.matcher(version).matches()) {
      // workers name the fetched file after them: nothing that could leave the plugins folder
      throw new PluginRejectedException("'" + name + "' has plugin id '" + id + "' and version '" + version
          + "': both may only use letters, digits, '.', '_' and '-', and may not start with '.'", false);
    }
    return new PluginDescriptor(id, version);
  }

  private static final java.util.regex.Pattern SAFE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static InputStream nonClosing(InputStream in) {
    return new java.io.FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }
}
