package dev.recap.coordinator.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.testing.PluginJar;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginStoreTest {

  @TempDir
  Path tmp;

  private final List<JsonObject> journal = new ArrayList<>();

  private PluginStore open() {
    return PluginStore.open(tmp.resolve("store"), List.copyOf(journal), journal::add, () -> 42L);
  }

  private byte[] jar(String id, String version, String provider) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "jar");
    return Files.readAllBytes(PluginJar.write(dir, id, version, provider, null, Map.of(), List.of()));
  }

  @Test
  void aPushedJarIsStoredUnderItsChecksumAndJournaled() throws Exception {
    byte[] bytes = jar("acme-vit", "1.2.0", "acme");
    PluginStore.Publication p = open().publish(bytes, "acme-vit-1.2.0.jar");
    assertTrue(p.added());
    assertEquals("acme-vit", p.jar().pluginId());
    assertEquals("1.2.0", p.jar().version());
    assertEquals(PluginStore.sha256(bytes), p.jar().sha256());
    assertArrayEquals(bytes, Files.readAllBytes(tmp.resolve("store").resolve(p.jar().sha256() + ".jar")));
    assertEquals(1, journal.size());
    assertEquals("plugin", journal.get(0).getString("type"));
    assertEquals(p.jar().sha256(), journal.get(0).getString("sha256"));
  }

  @Test
  void pushingTheSameBytesTwiceIsIdempotent() throws Exception {
    byte[] bytes = jar("acme-vit", "1.2.0", "acme");
    PluginStore store = open();
    PluginStore.Publication first = store.publish(bytes, "a.jar");
    PluginStore.Publication again = store.publish(bytes, "renamed.jar");
    assertTrue(first.added());
    assertFalse(again.added());
    assertEquals(first.jar(), again.jar());
    assertEquals(1, store.all().size());
    assertEquals(1, journal.size(), "journaled once");
  }

  @Test
  void aDifferentJarWithTheSameIdAndVersionIsRefused() throws Exception {
    PluginStore store = open();
    store.publish(jar("acme-vit", "1.2.0", "acme"), "a.jar");
    PluginRejectedException e = assertThrows(PluginRejectedException.class,
        () -> store.publish(jar("acme-vit", "1.2.0", "someone else"), "b.jar"));
    assertTrue(e.conflict());
    assertTrue(e.getMessage().contains("'b.jar'") && e.getMessage().contains("acme-vit@1.2.0")
        && e.getMessage().contains("already published"), e.getMessage());
    assertEquals(1, store.all().size());
    // a new version of the same plugin is a new publication
    assertTrue(store.publish(jar("acme-vit", "1.3.0", "acme"), "c.jar").added());
  }

  @Test
  void aJarWithoutADescriptorIsRefusedNamingTheJar() throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
      out.putNextEntry(new JarEntry("acme/Thing.class"));
      out.write(new byte[] {1, 2, 3});
      out.closeEntry();
    }
    PluginStore store = open();
    PluginRejectedException e = assertThrows(PluginRejectedException.class, () -> store.publish(bytes.toByteArray(), "thing.jar"));
    assertFalse(e.conflict());
    assertTrue(e.getMessage().startsWith("'thing.jar' has no PF4J plugin descriptor"), e.getMessage());
    assertThrows(PluginRejectedException.class, () -> store.publish("not a jar".getBytes(), "notes.txt"));
    assertEquals(List.of(), store.all());
    assertEquals(List.of(), journal);
  }

  @Test
  void anIdOrVersionThatCouldNameAFileOutsideThePluginsFolderIsRefused() throws Exception {
    PluginStore store = open();
    for (String[] idVersion : new String[][] {{"../../etc/acme", "1.0.0"}, {"acme", "1.0/../../x"}, {".hidden", "1.0.0"}}) {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().putValue("Plugin-Id", idVersion[0]);
      manifest.getMainAttributes().putValue("Plugin-Version", idVersion[1]);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
        out.putNextEntry(new JarEntry("acme/Thing.class"));
        out.write(new byte[] {1, 2, 3});
        out.closeEntry();
      }
      PluginRejectedException e = assertThrows(PluginRejectedException.class, () -> store.publish(bytes.toByteArray(), "evil.jar"));
      assertTrue(e.getMessage().contains("may only use letters, digits"), e.getMessage());
    }
    assertEquals(List.of(), store.all());
    assertEquals(List.of(), journal);
  }

  @Test
  void aReopenedStoreKnowsWhatTheJournalRecorded() throws Exception {
    byte[] bytes = jar("acme-vit", "1.2.0", "acme");
    PublishedJar first = open().publish(bytes, "a.jar").jar();
    PluginStore reopened = open();
    assertEquals(List.of(first), reopened.all());
    assertFalse(reopened.publish(bytes, "a.jar").added());
    assertArrayEquals(bytes, reopened.read(first.sha256(), 0, bytes.length + 10));
  }
}
