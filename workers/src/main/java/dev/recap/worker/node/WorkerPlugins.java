package dev.recap.worker.node;

import dev.recap.api.Extensions;
import dev.recap.api.NamedPlugin;
import dev.recap.bus.msg.PluginInfo;
import java.nio.file.Files;
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
 * advertises of them: one {@link PluginInfo} per {@link NamedPlugin} extension.
 */
public final class WorkerPlugins implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerPlugins.class);

  /** One loaded extension and how it is advertised (once per extension point it implements). */
  public record Loaded(PluginInfo info, NamedPlugin extension) {}

  private final DefaultPluginManager manager;
  private final List<PluginInfo> advertised;
  private final List<Loaded> loaded;
  private final Extensions extensions;

  private WorkerPlugins(DefaultPluginManager manager) {
    this.manager = manager;
    this.loaded = manager == null ? List.of() : describe(manager);
    this.advertised = loaded.stream().map(Loaded::info).toList();
    this.extensions = new Extensions() {
      @Override
      public <T extends NamedPlugin> List<T> all(Class<T> type) {
        return manager == null ? List.of() : manager.getExtensions(type);
      }
    };
  }

  /** No plugins (a worker that only runs built-in task types). */
  public static WorkerPlugins none() {
    return new WorkerPlugins(null);
  }

  /**
   * Loads and starts every plugin jar in {@code directory}; a missing directory means no plugins.
   *
   * @throws IllegalStateException naming the plugin that failed to start and why
   */
  public static WorkerPlugins load(Path directory) {
    if (directory == null || !Files.isDirectory(directory)) {
      LOG.info("no plugins directory at {}: running with built-in task types only", directory);
      return none();
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
    WorkerPlugins plugins = new WorkerPlugins(manager);
    LOG.info("loaded {} plugin(s) from {}: {}", manager.getPlugins().size(), directory, plugins.advertised);
    return plugins;
  }

  private static List<Loaded> describe(DefaultPluginManager manager) {
    List<Loaded> infos = new ArrayList<>();
    for (PluginWrapper p : manager.getStartedPlugins()) {
      for (Object extension : manager.getExtensions(p.getPluginId())) {
        if (extension instanceof NamedPlugin named) {
          for (Class<?> point : extensionPoints(named.getClass())) {
            infos.add(new Loaded(PluginInfo.newBuilder().setId(named.id()).setVersion(named.version())
                .setExtensionPoint(point.getSimpleName()).setPluginId(p.getPluginId()).build(), named));
          }
        }
      }
    }
    return List.copyOf(infos);
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
