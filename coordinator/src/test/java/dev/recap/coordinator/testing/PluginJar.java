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
   * Compiles {@code sources} (extension class name to Java source) against the test class path,
   * where plugins-api, pf4j and DJL sit as the workers' dependencies, and packs them as the PF4J
   * plugin jar {@code dir/<pluginId>-<version>.jar}, every source class an extension, as a third
   * party would build one.
   *
   * @param work a scratch folder for sources and classes
   */
  public static Path compile(Path work, Path dir, String pluginId, String version, Map<String, String> sources)
      throws IOException {
    Path classes = work.resolve("classes");
    Files.createDirectories(classes);
    List<String> args = new java.util.ArrayList<>(List.of("-proc:none", "-d", classes.toString(), "-cp",
        System.getProperty("java.class.path")));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path src = work.resolve("src/" + e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(src.getParent());
      Files.writeString(src, e.getValue());
      args.add(src.toString());
    }
    int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(new String[0]));
    if (rc != 0) {
      throw new IllegalStateException("javac of the test plugin " + pluginId + " failed (exit " + rc + "); see the output above");
    }
    Map<String, Path> classFiles = new java.util.LinkedHashMap<>();
    try (java.util.stream.Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        classFiles.put(classes.relativize(f).toString().replace('\\', '/'), f);
      }
    }
    return write(dir, pluginId, version, "acme", "org.pf4j.Plugin", classFiles, List.copyOf(sources.keySet()));
  }

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
