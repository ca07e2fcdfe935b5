package dev.recap.worker.node;

import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.PluginInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which loaded extensions a worker offers to jobs: every one from its own plugins folder, and
 * those from published jars once their conformance kit passed (or had nothing to run). An
 * extension of a published jar whose kit is pending or failed is not offered, so it is never
 * leased. Thread-safe.
 */
final class OfferedPlugins {

  private final Set<String> published = ConcurrentHashMap.newKeySet();

  /** The extensions of plugin {@code pluginId} come from a published jar. */
  void markPublished(String pluginId) {
    published.add(pluginId);
  }

  /** PF4J ids of the plugins from published jars. */
  Set<String> published() {
    return Set.copyOf(published);
  }

  /** The part of {@code advertised} to offer, given the kits' {@code results} so far. */
  List<PluginInfo> of(List<PluginInfo> advertised, List<ConformanceResult> results) {
    List<PluginInfo> out = new ArrayList<>();
    for (PluginInfo p : advertised) {
      if (!published.contains(p.getPluginId()) || results.stream().anyMatch(r -> sameExtension(r, p)
          && (r.getStatus().equals("pass") || r.getStatus().equals("skipped")))) {
        out.add(p);
      }
    }
    return out;
  }

  private static boolean sameExtension(ConformanceResult r, PluginInfo p) {
    return r.getPluginId().equals(p.getPluginId()) && r.getExtensionPoint().equals(p.getExtensionPoint())
        && r.getExtensionId().equals(p.getId()) && r.getVersion().equals(p.getVersion());
  }
}
