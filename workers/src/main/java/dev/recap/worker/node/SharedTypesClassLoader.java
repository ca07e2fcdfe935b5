package dev.recap.worker.node;

import java.util.List;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin class loader that takes the types shared across the plugin boundary from the host
 * first (the extension points, DJL, PF4J, logging, Avro, Vert.x), and everything else from the
 * plugin first. A plugin that bundles DJL would otherwise get a second DJL whose engine
 * providers are "not a subtype" of the host's ({@code ServiceConfigurationError}).
 */
final class SharedTypesClassLoader extends PluginClassLoader {

  /** Package prefixes always loaded by the host. */
  static final List<String> PARENT_FIRST =
      List.of("dev.recap.api.", "ai.djl.", "org.pf4j.", "org.slf4j.", "org.apache.avro.", "io.vertx.");

  SharedTypesClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
    super(manager, descriptor, parent);
  }

  static boolean isShared(String className) {
    for (String prefix : PARENT_FIRST) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Class<?> loadClass(String className) throws ClassNotFoundException {
    if (isShared(className)) {
      synchronized (getClassLoadingLock(className)) {
        try {
          return getParent().loadClass(className);
        } catch (ClassNotFoundException e) {
          // not on the host: the plugin may legitimately bring it (an optional DJL module, say)
        }
      }
    }
    return super.loadClass(className);
  }
}
