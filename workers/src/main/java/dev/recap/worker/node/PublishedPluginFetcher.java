package dev.recap.worker.node;

import dev.recap.bus.Addresses;
import dev.recap.bus.msg.PluginChunk;
import dev.recap.bus.msg.PluginChunkRequest;
import dev.recap.bus.msg.PluginListRequest;
import dev.recap.bus.msg.PublishedPlugin;
import dev.recap.bus.msg.PublishedPluginState;
import dev.recap.bus.msg.PublishedPlugins;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the plugin jars published to the coordinator onto this worker: lists them, fetches
 * those it lacks over the event bus, checks each against the SHA-256 the coordinator recorded,
 * writes it into the worker's plugins directory (nowhere else) and loads it without a restart.
 * A jar whose bytes do not match is refused: not written, not loaded, and reported (with both
 * checksums) in the worker's heartbeats.
 *
 * <p>A worker loads one version of a plugin id: a published jar whose plugin id is already
 * loaded from other bytes is skipped (and reported so).
 *
 * <p>Syncs run one at a time on their own thread: at the start (repeated until the coordinator
 * answers) and whenever a push is announced.
 */
final class PublishedPluginFetcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PublishedPluginFetcher.class);
  private static final long REQUEST_TIMEOUT_MILLIS = 30_000;
  /** How often the worker asks again: an announcement is best effort, and a failed fetch is retried. */
  private static final long RESYNC_MILLIS = 15_000;

  /**
   * The file in the plugins directory listing the jars this worker fetched ({@code <sha-256>
   * <file name>} per line): at its next start they are still published plugins, offered only
   * once their kits passed.
   */
  static final String FETCHED_LIST = ".published-plugins";

  private final EventBus bus;
  private final WorkerPlugins plugins;
  private final String workerId;
  private final Consumer<List<WorkerPlugins.Loaded>> onLoaded;
  private final ScheduledExecutorService thread;
  private final Map<String, PublishedPluginState> states = new LinkedHashMap<>();
  private volatile boolean closed;

  /** @param onLoaded called (on the fetcher's thread) with the extensions of each jar it loaded */
  PublishedPluginFetcher(EventBus bus, WorkerPlugins plugins, String workerId, Consumer<List<WorkerPlugins.Loaded>> onLoaded) {
    this.bus = bus;
    this.plugins = plugins;
    this.workerId = workerId;
    this.onLoaded = onLoaded;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, workerId + "-plugin-fetch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Syncs now, again with a growing pause until the coordinator has answered once, then every
   * {@value #RESYNC_MILLIS} ms.
   */
  void start() {
    thread.execute(() -> {
      long pause = 200;
      while (!closed && !sync()) {
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          return;
        }
        pause = Math.min(pause * 2, 5000);
      }
      thread.scheduleWithFixedDelay(this::sync, RESYNC_MILLIS, RESYNC_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /** The checksums of the jars this worker fetched into {@code directory} before (from {@link #FETCHED_LIST}). */
  static Set<String> fetchedBefore(Path directory) {
    Set<String> shas = new HashSet<>();
    if (directory == null) {
      return shas;
    }
    Path list = directory.resolve(FETCHED_LIST);
    try {
      if (Files.isRegularFile(list)) {
        for (String line : Files.readAllLines(list)) {
          if (!line.isBlank()) {
            shas.add(line.trim().split("\\s+")[0]);
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", list, e.toString());
    }
    return shas;
  }

  /** A push was announced: sync (once; the next announcement or start covers a lost one). */
  void announced(PublishedPlugin p) {
    LOG.info("worker {}: plugin {}@{} was published (sha-256 {})", workerId, p.getPluginId(), p.getVersion(), p.getSha256());
    thread.execute(this::sync);
  }

  /** What this worker did with each published jar it knows of, for its heartbeat. */
  synchronized List<PublishedPluginState> states() {
    return new ArrayList<>(states.values());
  }

  private synchronized void state(PublishedPlugin p, String state, String message) {
    states.put(p.getSha256(), new PublishedPluginState(p.getPluginId(), p.getVersion(), p.getSha256(), state, message));
  }

  private synchronized boolean settled(String sha) {
    PublishedPluginState s = states.get(sha);
    return s != null && !"fetching".equals(s.getState());
  }

  /** One pass over the published jars; false if the coordinator did not answer. */
  private boolean sync() {
    PublishedPlugins published;
    try {
      published = bus.<PublishedPlugins>request(Addresses.PLUGIN_LIST, new PluginListRequest(workerId),
          new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MILLIS)).toCompletionStage().toCompletableFuture()
          .get(REQUEST_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS).body();
    } catch (Exception e) {
      LOG.debug("worker {}: listing published plugins failed (no coordinator yet?): {}", workerId, e.toString());
      return false;
    }
    for (PublishedPlugin p : published.getPlugins()) {
      if (closed) {
        return true;
      }
      if (!settled(p.getSha256())) {
        bring(p);
      }
    }
    return true;
  }

  private void bring(PublishedPlugin p) {
    if (plugins.directory() == null) {
      state(p, "skipped", "this worker has no plugins directory");
      return;
    }
    WorkerPlugins.Jar loaded = plugins.jars().get(p.getPluginId());
    if (loaded != null) {
      if (loaded.sha256().equals(p.getSha256())) {
        state(p, "loaded", "");
      } else {
        state(p, "skipped", "this worker already runs " + p.getPluginId() + "@" + loaded.version() + " (sha-256 "
            + loaded.sha256().substring(0, 12) + "); a worker loads one version of a plugin, so restart it to switch");
      }
      return;
    }
    state(p, "fetching", "");
    Path dir = plugins.directory();
    Path partial = dir.resolve("." + p.getSha256() + "-" + workerId.replaceAll("[^A-Za-z0-9._-]", "_") + ".download");
    String received;
    try {
      received = download(p, partial);
    } catch (Exception e) {
      deleteQuietly(partial);
      state(p, "fetching", "the last attempt failed (tried again in " + RESYNC_MILLIS / 1000 + " s): " + e.getMessage());
      LOG.warn("worker {}: fetching published plugin {}@{} failed: {}", workerId, p.getPluginId(), p.getVersion(), e.toString());
      return;
    }
    if (!received.equals(p.getSha256())) {
      deleteQuietly(partial);
      String message = "checksum mismatch: the coordinator recorded sha-256 " + p.getSha256() + " but the bytes received have "
          + received + "; not loaded";
      state(p, "refused", message);
      LOG.warn("worker {}: refused published plugin {}@{}: {}", workerId, p.getPluginId(), p.getVersion(), message);
      return;
    }
    Path jar = dir.resolve(p.getPluginId() + "-" + p.getVersion() + ".jar").normalize();
    if (!dir.toAbsolutePath().normalize().equals(jar.toAbsolutePath().getParent())) {
      deleteQuietly(partial);
      state(p, "refused", "its id and version would name a file outside the plugins directory; not written");
      return;
    }
    try {
      synchronized (PublishedPluginFetcher.class) { // workers of one JVM may share the directory
        if (Files.exists(jar) && !WorkerPlugins.sha256(jar).equals(p.getSha256())) {
          deleteQuietly(partial);
          state(p, "refused", "the plugins directory already holds another " + jar.getFileName() + "; not overwritten");
          LOG.warn("worker {}: published plugin {}@{} not written: {} holds other bytes", workerId, p.getPluginId(),
              p.getVersion(), jar);
          return;
        }
        if (Files.exists(jar)) {
          deleteQuietly(partial); // another worker of this JVM wrote the same bytes
        } else {
          Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.writeString(dir.resolve(FETCHED_LIST), p.getSha256() + " " + jar.getFileName() + "\n",
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      List<WorkerPlugins.Loaded> extensions = plugins.loadJar(jar);
      onLoaded.accept(extensions); // its kits are pending before the heartbeat says "loaded"
      state(p, "loaded", extensions.isEmpty() ? "the jar has no Recap extensions" : "");
      LOG.info("worker {}: loaded published plugin {}@{} (sha-256 {} verified): {} extension(s)", workerId, p.getPluginId(),
          p.getVersion(), p.getSha256(), extensions.size());
    } catch (IOException | RuntimeException e) {
      deleteQuietly(jar); // a jar that does not start would stop the worker's next start
      deleteQuietly(partial);
      state(p, "refused", "loading it failed: " + e.getMessage());
      LOG.warn("worker {}: published plugin {}@{} did not load: {}", workerId, p.getPluginId(), p.getVersion(), e.toString());
    }
  }

  /** Fetches the jar into {@code partial} part by part; returns the SHA-256 of what arrived. */
  private String download(PublishedPlugin p, Path partial) throws Exception {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    try (OutputStream out = Files.newOutputStream(partial)) {
      long offset = 0;
      long total = Long.MAX_VALUE;
      while (offset < total) {
        PluginChunk chunk = bus.<PluginChunk>request(Addresses.PLUGIN_CHUNK, new PluginChunkRequest(p.getSha256(), offset),
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MILLIS)).toCompletionStage().toCompletableFuture()
            .get(REQUEST_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS).body();
        total = chunk.getTotalBytes();
        ByteBuffer bytes = chunk.getBytes();
        byte[] data = new byte[bytes.remaining()];
        bytes.get(data);
        if (data.length == 0 && offset < total) {
          throw new IOException("the coordinator sent no bytes at offset " + offset + " of " + total);
        }
        digest.update(data);
        out.write(data);
        offset += data.length;
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", p, e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
  }
}
