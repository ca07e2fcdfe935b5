package dev.recap.coordinator.plugin;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's published plugin jars, stored content-addressed ({@code <sha256>.jar} in one
 * folder) and recorded in the coordinator's journal, so a restarted coordinator still knows them.
 *
 * <p>Pushing the same bytes again changes nothing. A plugin id and version name one jar: a
 * different jar with the same {@code id@version} is refused (publish a new version instead). The
 * store keeps the bytes as they were pushed and serves them as they are on disk; workers check
 * each jar against the recorded checksum before they load it.
 *
 * <p>Thread-safe.
 */
public final class PluginStore {

  private static final Logger LOG = LoggerFactory.getLogger(PluginStore.class);

  /** The largest jar accepted. */
  public static final int MAX_JAR_BYTES = 64 << 20;

  /** What a push did: the recorded jar, and whether it was new. */
  public record Publication(PublishedJar jar, boolean added) {}

  private final Path folder;
  private final Consumer<JsonObject> journal;
  private final LongSupplier clock;
  private final Map<String, PublishedJar> bySha = new LinkedHashMap<>();

  private PluginStore(Path folder, Consumer<JsonObject> journal, LongSupplier clock) {
    this.folder = folder;
    this.journal = journal;
    this.clock = clock;
  }

  /**
   * Opens the store in {@code folder} (created if absent) with the publications {@code replayed}
   * from the journal ({@code type: plugin} records; others are ignored); new ones go to {@code journal}.
   */
  public static PluginStore open(Path folder, List<JsonObject> replayed, Consumer<JsonObject> journal, LongSupplier clock) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the plugin store " + folder + ": " + e.getMessage(), e);
    }
    PluginStore store = new PluginStore(folder, journal, clock);
    for (JsonObject r : replayed) {
      if ("plugin".equals(r.getString("type"))) {
        PublishedJar jar = PublishedJar.fromJournal(r);
        if (!Files.isRegularFile(store.file(jar.sha256()))) {
          LOG.warn("published plugin {} ({}) is in the journal but its jar {} is gone; not offered", jar.coordinates(),
              jar.shortSha(), store.file(jar.sha256()));
          continue;
        }
        store.bySha.put(jar.sha256(), jar);
      }
    }
    return store;
  }

  /**
   * Stores and records the jar {@code bytes}.
   *
   * @param name the jar's file name, for messages and listings
   * @throws PluginRejectedException for a jar without a PF4J descriptor, or a different jar with an
   *     id@version already published
   */
  public synchronized Publication publish(byte[] bytes, String name) {
    if (bytes.length > MAX_JAR_BYTES) {
      throw new PluginRejectedException("'" + name + "' is " + bytes.length + " bytes; the largest plugin jar accepted is "
          + MAX_JAR_BYTES, false);
    }
    String sha = sha256(bytes);
    PublishedJar known = bySha.get(sha);
    if (known != null) {
      return new Publication(known, false);
    }
    PluginDescriptor d = PluginDescriptor.read(bytes, name);
    for (PublishedJar other : bySha.values()) {
      if (other.pluginId().equals(d.pluginId()) && other.version().equals(d.version())) {
        throw new PluginRejectedException("'" + name + "' is plugin " + d.pluginId() + "@" + d.version() + ", already"
            + " published with other bytes (sha-256 " + other.shortSha() + ", new jar " + sha.substring(0, 12) + "); a"
            + " plugin version names one jar: raise Plugin-Version to publish a change", true);
      }
    }
    Path target = file(sha);
    try {
      Path partial = folder.resolve(sha + ".jar.partial");
      Files.write(partial, bytes);
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store plugin jar '" + name + "' in " + folder + ": " + e.getMessage(), e);
    }
    PublishedJar jar = new PublishedJar(d.pluginId(), d.version(), sha, bytes.length, name, clock.getAsLong());
    journal.accept(jar.toJournal());
    bySha.put(sha, jar);
    LOG.info("published plugin {} from {} ({} bytes, sha-256 {})", jar.coordinates(), name, bytes.length, sha);
    return new Publication(jar, true);
  }

  /** Every published jar, in the order they were published. */
  public synchronized List<PublishedJar> all() {
    return new ArrayList<>(bySha.values());
  }

  /** The published jar with this checksum, or null. */
  public synchronized PublishedJar get(String sha256) {
    return bySha.get(sha256);
  }

  /** Where the jar with this checksum is kept. */
  public Path file(String sha256) {
    return folder.resolve(sha256 + ".jar");
  }

  /**
   * Up to {@code max} bytes of the stored jar from {@code offset}, as they are on disk now.
   *
   * @throws IllegalArgumentException for a checksum that is not published
   */
  public byte[] read(String sha256, long offset, int max) throws IOException {
    if (get(sha256) == null) {
      throw new IllegalArgumentException("no published plugin jar with sha-256 " + sha256);
    }
    try (FileChannel ch = FileChannel.open(file(sha256), StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.max(0, Math.min(max, size - offset));
      ByteBuffer buf = ByteBuffer.allocate(n);
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
        // read until full
      }
      return buf.array();
    }
  }

  /** The stored jar's size on disk now. */
  public long size(String sha256) throws IOException {
    return Files.size(file(sha256));
  }

  /** Lower-case hex SHA-256. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
