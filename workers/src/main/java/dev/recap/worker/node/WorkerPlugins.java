package dev.recap.worker.node;

import dev.recap.api.Extensions;
import dev.recap.api.NamedPlugin;
import dev.recap.bus.msg.PluginInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.pf4j.SingletonExtensionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PF4J plugins of one worker, loaded from a directory of plugin jars, and what the worker
 * advertises of them: one {@link PluginInfo} per {@link NamedPlugin} extension, with the PF4J
 * id, version and SHA-256 of the jar that provides it.
 *
 * <p>More jars can be loaded later ({@link #loadJar}), without a restart, but only from the
 * configured directory: plugins load from nowhere else.
 */
public final class WorkerPlugins implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerPlugins.class);

  /** One loaded extension and how it is advertised (once per extension point it implements). */
  public record Loaded(PluginInfo info, NamedPlugin extension) {}

  /** One loaded plugin jar: its PF4J id and version, and the SHA-256 of its bytes. */
  public record Jar(String pluginId, String version, String sha256, Path path) {}

  private final DefaultPluginManager manager;
  private final Path directory;
  private final Map<String, Jar> jars = new LinkedHashMap<>();
  private volatile List<PluginInfo> advertised;
  private volatile List<Loaded> loaded;
  private final Extensions extensions;

  private WorkerPlugins(DefaultPluginManager manager, Path directory) {
    this.manager = manager;
    this.directory = directory;
    refresh();
    this.extensions = new Extensions() {
      @Override
      public <T extends NamedPlugin> List<T> all(Class<T> type) {
        return manager == null ? List.of() : manager.getExtensions(type);
      }
    };
  }

  /** No plugins (a worker that only runs built-in task types). */
  public static WorkerPlugins none() {
    return new WorkerPlugins(null, null);
  }

  /**
   * Loads and starts every plugin jar in {@code directory}. A missing directory is created empty
   * (plugins published to the cluster land there); null means no plugins at all.
   *
   * @throws IllegalStateException naming the plugin that failed to start and why
   */
  public static WorkerPlugins load(Path directory) {
    if (directory == null) {
      LOG.info("no plugins directory: running with built-in task types only");
      return none();
    }
    if (!Files.isDirectory(directory)) {
      try {
        Files.createDirectories(directory);
        LOG.info("created the plugins directory {} (empty: published plugins land here)", directory);
      } catch (IOException e) {
        LOG.info("no plugins directory at {} and it cannot be created ({}): running with built-in task types only",
            directory, e.toString());
        return none();
      }
    }
    DefaultPluginManager manager = new DefaultPluginManager(directory.toAbsolutePath()) {
      @Override
      protected PluginLoader createPluginLoader() {
        return new CompoundPluginLoader().add(new SharedTypesJarLoader(this));
      }

      @Override
      protected ExtensionFactory createExtensionFactory() {
        // one instance per extension, so plugins can keep state (loaded weights) across tasks
        return new SingletonExtensionFactory(this);
      }
    };
    manager.loadPlugins();
    manager.startPlugins();
    for (PluginWrapper p : manager.getPlugins()) {
      if (p.getPluginState() != PluginState.STARTED) {
        Throwable cause = p.getFailedException();
        manager.stopPlugins();
        throw new IllegalStateException("plugin " + p.getPluginId() + " (" + p.getPluginPath() + ") did not start: "
            + (cause == null ? p.getPluginState() : cause.toString()), cause);
      }
    }
    WorkerPlugins plugins = new WorkerPlugins(manager, directory.toAbsolutePath());
    LOG.info("loaded {} plugin(s) from {}: {}", manager.getPlugins().size(), directory, plugins.advertised);
    return plugins;
  }

  /** Re-reads what the manager has started. */
  private synchronized void refresh() {
    loaded = manager == null ? List.of() : describe();
    advertised = loaded.stream().map(Loaded::info).toList();
  }

  private List<Loaded> describe() {
    List<Loaded> infos = new ArrayList<>();
    for (PluginWrapper p : manager.getStartedPlugins()) {
      Jar jar = jars.computeIfAbsent(p.getPluginId(), id -> new Jar(id, p.getDescriptor().getVersion(),
          Files.isRegularFile(p.getPluginPath()) ? sha256(p.getPluginPath()) : "", p.getPluginPath()));
      for (Object extension : manager.getExtensions(p.getPluginId())) {
        if (extension instanceof NamedPlugin named) {
          for (Class<?> point : extensionPoints(named.getClass())) {
            infos.add(new Loaded(PluginInfo.newBuilder().setId(named.id()).setVersion(named.version())
                .setExtensionPoint(point.getSimpleName()).setPluginId(p.getPluginId())
                .setPluginVersion(jar.version()).setSha256(jar.sha256()).build(), named));
          }
        }
      }
    }
    return List.copyOf(infos);
  }

  /**
   * Loads and starts one more plugin jar, which must sit in the configured plugins directory.
   *
   * @return the extensions it brought, as {@link #loaded()} lists them
   * @throws IllegalStateException naming the jar when this worker has no plugins directory, the
   *     jar is elsewhere, or the plugin does not start (it is unloaded again)
   */
  public synchronized List<Loaded> loadJar(Path jar) {
    if (manager == null) {
      throw new IllegalStateException("this worker has no plugins directory: it cannot load " + jar.getFileName());
    }
    Path file = jar.toAbsolutePath().normalize();
    if (!directory.equals(file.getParent())) {
      throw new IllegalStateException("plugins load only from the plugins directory " + directory + ", not " + file);
    }
    String id = manager.loadPlugin(file);
    PluginState state = manager.startPlugin(id);
    if (state != PluginState.STARTED) {
      Throwable cause = manager.getPlugin(id).getFailedException();
      manager.unloadPlugin(id);
      jars.remove(id);
      throw new IllegalStateException("plugin " + id + " (" + file.getFileName() + ") did not start: "
          + (cause == null ? state : cause.toString()), cause);
    }
    refresh();
    LOG.info("loaded plugin {} from {}", id, file);
    return loaded.stream().filter(l -> l.info().getPluginId().equals(id)).toList();
  }

  /** The configured plugins directory (absolute), or null for a worker without one. */
  public Path directory() {
    return directory;
  }

  /** The loaded plugin jars, by PF4J plugin id. */
  public synchronized Map<String, Jar> jars() {
    return Map.copyOf(jars);
  }

  /** Lower-case hex SHA-256 of a file's bytes (as {@link OutputChecksum} declares a file). */
  public static String sha256(Path file) {
    try {
      return OutputChecksum.of(file.toRealPath()).sha256(); // a symlinked jar is checksummed as its target
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to checksum it: " + e.getMessage(), e);
    }
  }

  /** The dev.recap.api interfaces below NamedPlugin that a class implements (its extension points). */
  static Set<Class<?>> extensionPoints(Class<?> type) {
    Set<Class<?>> points = new LinkedHashSet<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      todo.addAll(List.of(c.getInterfaces()));
    }
    while (!todo.isEmpty()) {
      Class<?> i = todo.pop();
      if (i != NamedPlugin.class && NamedPlugin.class.isAssignableFrom(i) && i.getName().startsWith("dev.recap.api.")) {
        points.add(i);
      }
      todo.addAll(List.of(i.getInterfaces()));
    }
    if (points.isEmpty()) {
      points.add(NamedPlugin.class);
    }
    return points;
  }

  /** What the worker advertises: extension id, version, extension point, plugin id. */
  public List<PluginInfo> advertised() {
    return advertised;
  }

  /** Every loaded extension with its advertisement, in the order of {@link #advertised()}. */
  public List<Loaded> loaded() {
    return loaded;
  }

  /** The loaded extensions, for task handlers. */
  public Extensions extensions() {
    return extensions;
  }

  /** Stops and unloads the plugins. */
  @Override
  public void close() {
    if (manager != null) {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }
}
