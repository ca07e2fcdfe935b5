package dev.recap.coordinator.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A third-party PF4J plugin jar built at test time (compiled against the test class path, where
 * plugins-api and pf4j sit as the workers' dependencies), so the console's workers advertise a
 * real loaded plugin without the coordinator compiling against plugins-api.
 */
final class FixturePlugin {

  static final String EXTENSION_ID = "echo-source";

  private static final String SOURCE = """
      package acme.echo;

      import dev.recap.api.PluginConfig;
      import dev.recap.api.data.SampleSource;

      @org.pf4j.Extension
      public class EchoSource implements SampleSource {
        public String id() { return "echo-source"; }
        public String version() { return "1.2.3"; }
        public Generator open(PluginConfig config, long seed) {
          throw new UnsupportedOperationException("echo-source generates nothing, seed " + seed);
        }
      }
      """;

  private FixturePlugin() {}

  /** Writes {@code pluginsDir/echo-1.2.3.jar}. */
  static Path build(Path work, Path pluginsDir) throws IOException {
    Path src = work.resolve("src/acme/echo/EchoSource.java");
    Path classes = work.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, SOURCE);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-proc:none", "-d", classes.toString(),
        "-cp", System.getProperty("java.class.path"), src.toString());
    if (rc != 0) {
      throw new IllegalStateException("javac of the fixture plugin failed (exit " + rc + "); see the output above");
    }
    Manifest manifest = new Manifest();
    Attributes a = manifest.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Plugin-Id", "echo");
    a.putValue("Plugin-Version", "1.2.3");
    a.putValue("Plugin-Provider", "acme");
    a.putValue("Plugin-Class", "org.pf4j.Plugin");
    Files.createDirectories(pluginsDir);
    Path jar = pluginsDir.resolve("echo-1.2.3.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
      // what PF4J's annotation processor writes
      out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
      out.write("acme.echo.EchoSource\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
