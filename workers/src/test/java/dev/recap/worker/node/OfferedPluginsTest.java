package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.PluginInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfferedPluginsTest {

  private static PluginInfo info(String id, String pluginId) {
    return new PluginInfo(id, "1.0", "ImageEncoder", pluginId, "1.0", "sha-" + pluginId);
  }

  private static ConformanceResult kit(String id, String pluginId, String status) {
    return new ConformanceResult(id, "1.0", "ImageEncoder", pluginId, status, status.equals("fail") ? "shapes: wrong" : "", 5L);
  }

  @Test
  void aPublishedExtensionIsOfferedOnlyOnceItsKitPassedOrHadNothingToRun() {
    OfferedPlugins offered = new OfferedPlugins();
    offered.markPublished("acme");
    PluginInfo folder = info("vit", "vit-plugin");
    PluginInfo good = info("good", "acme");
    PluginInfo broken = info("broken", "acme");
    PluginInfo untested = info("untested", "acme");
    List<PluginInfo> all = List.of(folder, good, broken, untested);

    assertEquals(List.of(folder), offered.of(all, List.of()), "folder plugins at once, published ones not before a kit");
    assertEquals(List.of(folder), offered.of(all, List.of(kit("good", "acme", "pending"), kit("broken", "acme", "pending"),
        kit("untested", "acme", "pending"))));
    assertEquals(List.of(folder, good, untested), offered.of(all, List.of(kit("good", "acme", "pass"),
        kit("broken", "acme", "fail"), kit("untested", "acme", "skipped"), kit("vit", "vit-plugin", "fail"))),
        "a failed kit keeps a published extension out; a folder plugin's kit does not gate it");
  }
}
