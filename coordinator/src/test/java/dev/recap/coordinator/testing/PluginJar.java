package dev.recap.coordinator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Packs compiled classes as a PF4J plugin jar, the way a plugin build would: a manifest with the
 * plugin's id and version, the class files, and the extension index PF4J's annotation processor
 * writes ({@code META-INF/extensions.idx}). For tests that load plugins from a directory.
 */
public final class PluginJar {

  private PluginJar() {}

  /**
   * Writes {@code dir/<pluginId>-<version>.jar}.
   *
   * @param pluginClass the {@code Plugin-Class} attribute, or null for none
   * @param classes jar entry name (e.g. {@code dev/acme/Encoder.class}) to the class file
   * @param extensions the extension classes' names, in index order
   */
  public static Path write(Path dir, String pluginId, String version, String provider, String pluginClass,
      Map<String, Path> classes, List<String> extensions) throws IOException {
    Manifest manifest = new Manifest();
    Attributes a = manifest.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Plugin-Id", pluginId);
    a.putValue("Plugin-Version", version);
    a.putValue("Plugin-Provider", provider);
    if (pluginClass != null) {
      a.putValue("Plugin-Class", pluginClass);
    }
    Files.createDirectories(dir);
    Path jar = dir.resolve(pluginId + "-" + version + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      for (Map.Entry<String, Path> c : classes.entrySet()) {
        out.putNextEntry(new JarEntry(c.getKey()));
        Files.copy(c.getValue(), out);
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
      out.write((String.join("\n", extensions) + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
