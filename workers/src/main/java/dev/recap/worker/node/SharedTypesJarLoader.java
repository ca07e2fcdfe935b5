package dev.recap.worker.node;

import java.nio.file.Files;
import java.nio.file.Path;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.util.FileUtils;

/** Loads a plugin jar with a {@link SharedTypesClassLoader}. */
final class SharedTypesJarLoader implements PluginLoader {

  private final PluginManager manager;

  SharedTypesJarLoader(PluginManager manager) {
    this.manager = manager;
  }

  @Override
  public boolean isApplicable(Path pluginPath) {
    return Files.exists(pluginPath) && FileUtils.isJarFile(pluginPath);
  }

  @Override
  public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
    SharedTypesClassLoader loader = new SharedTypesClassLoader(manager, descriptor, getClass().getClassLoader());
    loader.addFile(pluginPath.toFile());
    return loader;
  }
}
