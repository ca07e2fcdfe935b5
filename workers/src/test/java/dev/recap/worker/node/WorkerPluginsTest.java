package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.SampleSource;
import dev.recap.bus.msg.PluginInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.PluginClassLoader;

class WorkerPluginsTest {

  static final String SOURCE = """
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

  /** Compiles {@link #SOURCE} against the test class path and packs a PF4J plugin jar, as a third party would. */
  static Path buildPluginJar(Path work, Path pluginsDir) throws IOException {
    Path src = work.resolve("src/acme/echo/EchoSource.java");
    Path classes = work.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, SOURCE);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-proc:none", "-d", classes.toString(),
        "-cp", System.getProperty("java.class.path"), src.toString());
    assertEquals(0, rc, "javac of the fixture plugin");
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

  @Test
  void aRealPluginJarIsLoadedFromTheDirectoryAndAdvertised(@TempDir Path tmp) throws Exception {
    Path plugins = tmp.resolve("plugins");
    buildPluginJar(tmp.resolve("build"), plugins);
    try (WorkerPlugins loaded = WorkerPlugins.load(plugins)) {
      PluginInfo info = loaded.advertised().get(0);
      assertEquals(List.of(new PluginInfo("echo-source", "1.2.3", "SampleSource", "echo", info.getPluginVersion(),
          WorkerPlugins.sha256(plugins.resolve("echo-1.2.3.jar")))), loaded.advertised());
      SampleSource source = loaded.extensions().get(SampleSource.class, "echo-source");
      // the plugin's own class comes from its jar, the extension point from the host (parent-first)
      assertInstanceOf(PluginClassLoader.class, source.getClass().getClassLoader());
      assertNotSame(getClass().getClassLoader(), source.getClass().getClassLoader());
      assertSame(SampleSource.class, source.getClass().getInterfaces()[0]);
      assertSame(source, loaded.extensions().get(SampleSource.class, "echo-source"), "one instance per extension");
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> loaded.extensions().get(SampleSource.class, "nope"));
      assertTrue(e.getMessage().contains("echo-source"), e.getMessage());
    }
  }

  @Test
  void aMissingDirectoryMeansNoPlugins(@TempDir Path tmp) {
    try (WorkerPlugins loaded = WorkerPlugins.load(tmp.resolve("absent"))) {
      assertEquals(List.of(), loaded.advertised());
      assertEquals(List.of(), loaded.extensions().all(SampleSource.class));
    }
  }

  @Test
  void sharedPrefixesAreParentFirst() {
    assertTrue(SharedTypesClassLoader.isShared("ai.djl.engine.Engine"));
    assertTrue(SharedTypesClassLoader.isShared("dev.recap.api.data.SampleSource"));
    assertEquals(false, SharedTypesClassLoader.isShared("acme.echo.EchoSource"));
  }

}
