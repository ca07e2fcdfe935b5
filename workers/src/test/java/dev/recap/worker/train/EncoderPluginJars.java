package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.worker.node.WorkerPlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real {@code vit}, {@code mci} and {@code text-transformer} plugins, loaded by PF4J from their
 * jars in the distribution (the build packs them before this module's tests: see the pom), each
 * copied into a folder of the test's own so that other jars there stay out.
 */
final class EncoderPluginJars {

  static final List<String> JARS = List.of("vit-", "mci-", "text-transformer-");

  private EncoderPluginJars() {}

  /** The plugins folder the test loads from. */
  static Path folder(Path tmp) throws IOException {
    Path dist = Path.of(System.getProperty("recap.dist", "../target/recap"), "plugins");
    Path dir = Files.createDirectories(tmp.resolve("plugins"));
    for (String prefix : JARS) {
      Path jar;
      try (Stream<Path> files = Files.isDirectory(dist) ? Files.list(dist) : Stream.empty()) {
        jar = files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".jar")).findFirst()
            .orElse(null);
      }
      assertTrue(jar != null, "no " + prefix + "*.jar in " + dist.toAbsolutePath()
          + ": build the plugins first (mvn -o package -DskipTests -pl workers -am)");
      Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  /** The three plugins, started. */
  static WorkerPlugins load(Path tmp) throws IOException {
    return WorkerPlugins.load(folder(tmp));
  }
}
