package dev.recap.worker.node;

import ai.djl.Device;
import dev.recap.api.Extensions;
import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.conformance.CaptionerKit;
import dev.recap.api.conformance.ConformanceKit;
import dev.recap.api.conformance.ConformanceOutcome;
import dev.recap.api.conformance.DenseHeadKit;
import dev.recap.api.conformance.ImageEncoderKit;
import dev.recap.api.conformance.TextEncoderKit;
import dev.recap.api.data.RgbImage;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.PluginInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the plugins-api conformance kit of every extension a worker loaded, once, on a background
 * thread after the worker joined (task leases do not wait for it), and keeps the outcomes for the
 * heartbeat to carry to the coordinator. Extensions of plugins published to the cluster, loaded at
 * the start or later, queue on the same thread; the worker offers them only once they passed
 * (see {@code OfferedPlugins}).
 *
 * <p>Each kit runs on a small configuration the worker can pick without the user: the
 * extension's {@code *-tiny} preset (encoders without one are skipped rather than built at full
 * size), or for heads and captioners their default configuration. Captioners that cannot be
 * opened with it (they need a model file or an encoder named in the job spec) are skipped, with
 * the captioner's own message saying why.
 */
public final class PluginConformance implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginConformance.class);
  private static final int MAX_MESSAGE = 2000;
  private static final long GATE_POLL_MILLIS = 250;

  /** The kit chosen for one extension, or why there is none. */
  record Plan(ConformanceKit kit, String skipReason) {
    static Plan skip(String reason) {
      return new Plan(null, reason);
    }
  }

  /** One kit to run: the extension, where its result goes, and whom to tell. */
  private record Job(WorkerPlugins.Loaded loaded, int index, Runnable whenDone) {}

  private final List<ConformanceResult> results;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Extensions extensions;
  private volatile Thread thread;
  private volatile boolean stopped;

  private PluginConformance(List<ConformanceResult> results, Extensions extensions) {
    this.results = results;
    this.extensions = extensions;
  }

  /**
   * Starts the kits of every extension of {@code plugins} on a daemon thread of low priority.
   * Until an extension's kit has run, its result says "pending".
   */
  public static PluginConformance start(WorkerPlugins plugins, String workerId, Device device) {
    return start(plugins, workerId, device, true, Set.of(), () -> {});
  }

  /**
   * As {@link #start(WorkerPlugins, String, Device)}; with {@code kitsOn} false the extensions
   * loaded so far report "skipped" (kits turned off), and only those {@linkplain #check added
   * later}, and those of the plugins in {@code alwaysCheck} (published plugins, which must pass
   * before they are offered), run their kits; {@code whenDone} is called after each kit.
   */
  public static PluginConformance start(WorkerPlugins plugins, String workerId, Device device, boolean kitsOn,
      Set<String> alwaysCheck, Runnable whenDone) {
    List<ConformanceResult> results = new ArrayList<>();
    PluginConformance started = new PluginConformance(results, plugins.extensions().onDevice(device));
    List<WorkerPlugins.Loaded> loaded = plugins.loaded();
    for (int i = 0; i < loaded.size(); i++) {
      WorkerPlugins.Loaded l = loaded.get(i);
      if (kitsOn || alwaysCheck.contains(l.info().getPluginId())) {
        results.add(result(l.info(), "pending", "", 0));
        started.queue.add(new Job(l, i, whenDone));
      } else {
        results.add(result(l.info(), "skipped", "conformance kits are turned off on this worker", 0));
      }
    }
    int initial = started.queue.size();
    started.thread = new Thread(() -> started.runQueue(initial), workerId + "-conformance");
    started.thread.setDaemon(true);
    started.thread.setPriority(Thread.MIN_PRIORITY);
    started.thread.start();
    return started;
  }

  /**
   * Queues the kits of extensions loaded after the start (a published plugin); each reports
   * "pending" until its kit has run, then {@code whenDone} is called (on the kits' thread).
   */
  public void check(List<WorkerPlugins.Loaded> more, Runnable whenDone) {
    if (thread == null) {
      throw new IllegalStateException("conformance kits are not running on this worker");
    }
    synchronized (results) {
      for (WorkerPlugins.Loaded l : more) {
        results.add(result(l.info(), "pending", "", 0));
        queue.add(new Job(l, results.size() - 1, whenDone));
      }
    }
  }

  /** Runs queued kits until closed; counts {@link #done} down after the first {@code initial} ones. */
  private void runQueue(int initial) {
    int ran = 0;
    if (initial == 0) {
      done.countDown();
    }
    try {
      while (!stopped) {
        Job job;
        try {
          job = queue.take();
        } catch (InterruptedException e) {
          return; // the worker is closing
        }
        ConformanceResult r;
        try {
          r = check(job.loaded().info(), job.loaded().extension(), extensions, () -> stopped);
        } catch (InterruptedException e) {
          return; // the worker is closing
        }
        synchronized (results) {
          results.set(job.index(), r);
        }
        if ("fail".equals(r.getStatus())) {
          LOG.warn("conformance kit of {} {} ({}): FAIL: {}", r.getExtensionPoint(), r.getExtensionId(), r.getPluginId(), r.getMessage());
        } else {
          LOG.info("conformance kit of {} {} ({}): {} {} in {} ms", r.getExtensionPoint(), r.getExtensionId(), r.getPluginId(),
              r.getStatus(), r.getMessage(), r.getMillis());
        }
        job.whenDone().run();
        if (++ran == initial) {
          done.countDown();
        }
      }
    } finally {
      done.countDown();
    }
  }

  /** Runs the kit of one extension as the extension point {@code info} names, when no task of this JVM runs. */
  static ConformanceResult check(PluginInfo info, NamedPlugin extension, Extensions extensions) throws InterruptedException {
    return check(info, extension, extensions, () -> false);
  }

  private static ConformanceResult check(PluginInfo info, NamedPlugin extension, Extensions extensions,
      java.util.function.BooleanSupplier stopped) throws InterruptedException {
    long start = System.nanoTime();
    Plan plan;
    try {
      plan = plan(info.getExtensionPoint(), extension, extensions);
    } catch (RuntimeException | LinkageError e) {
      return result(info, "fail", "preparing the kit failed: " + e, (System.nanoTime() - start) / 1_000_000);
    }
    if (plan.kit() == null) {
      return result(info, "skipped", plan.skipReason(), 0);
    }
    ConformanceOutcome outcome = EngineGate.kit(plan.kit()::run, GATE_POLL_MILLIS);
    String note = "";
    if (!outcome.passed() && !stopped.getAsBoolean()) {
      // code outside any task (another library in this JVM) may hold DJL's one-per-JVM
      // GradientCollector; a second run tells that apart from a broken contract
      LOG.info("conformance kit of {} {} failed ({}); running it once more", info.getExtensionPoint(), info.getId(), outcome.summary());
      ConformanceOutcome first = outcome;
      outcome = EngineGate.kit(plan.kit()::run, GATE_POLL_MILLIS);
      note = outcome.passed() ? " (passed on a second run; the first failed " + first.summary() + ")" : "";
    }
    long millis = outcome.millis();
    return outcome.passed()
        ? result(info, "pass", outcome.checks() + " checks" + note, millis)
        : result(info, "fail", outcome.failedCheck() + ": " + outcome.message(), millis);
  }

  /** The kit for {@code extension} as {@code point}, on a configuration small enough to run in seconds. */
  static Plan plan(String point, NamedPlugin extension, Extensions extensions) {
    PluginConfig tiny = tinyPreset(extension);
    switch (point) {
      case "ImageEncoder": {
        if (tiny == null) {
          return Plan.skip(noTinyPreset(extension));
        }
        ImageEncoder encoder = (ImageEncoder) extension;
        return new Plan(new ImageEncoderKit(encoder, tiny, inputSizes(encoder, tiny), 2), null);
      }
      case "TextEncoder":
        return tiny == null ? Plan.skip(noTinyPreset(extension)) : new Plan(new TextEncoderKit((TextEncoder) extension, tiny), null);
      case "DenseHead":
        return new Plan(new DenseHeadKit((DenseHead) extension, tiny == null ? PluginConfig.empty() : tiny), null);
      case "Captioner":
        return captionerPlan((Captioner) extension, tiny == null ? PluginConfig.empty() : tiny, extensions);
      default:
        return Plan.skip("no conformance kit for " + point);
    }
  }

  private static String noTinyPreset(NamedPlugin extension) {
    return "no *-tiny preset among " + new TreeSet<>(extension.presets().keySet())
        + ": the worker does not build a full-size model for the kit (run it from the plugin's tests)";
  }

  /** The first (by name) preset whose name ends with {@code -tiny}, as a config naming it; null if none. */
  static PluginConfig tinyPreset(NamedPlugin extension) {
    Map<String, PluginConfig> presets = extension.presets();
    return presets.keySet().stream().filter(n -> n.endsWith("-tiny")).sorted().findFirst()
        .map(n -> PluginConfig.of("preset", n)).orElse(null);
  }

  /** Two square sizes, the smallest multiple of the tower's input multiple from 32 px and twice that. */
  private static List<int[]> inputSizes(ImageEncoder encoder, PluginConfig config) {
    int multiple;
    try {
      multiple = encoder.build(encoder.resolve(config)).inputMultiple();
    } catch (RuntimeException e) {
      return ImageEncoderKit.defaultInputSizes(); // the kit's first check reports the failure
    }
    int side = multiple * Math.max(1, (32 + multiple - 1) / multiple);
    return List.of(new int[] {side, side}, new int[] {2 * side, 2 * side}, new int[] {side, 2 * side});
  }

  private static Plan captionerPlan(Captioner captioner, PluginConfig config, Extensions extensions) {
    // a captioner that needs a model file or an encoder the job names cannot be opened here
    try (Captioner.Session session = captioner.open(config, 7L, extensions)) {
      // opened: the kit may go on
    } catch (Exception e) {
      return Plan.skip("cannot be opened with " + (config.equals(PluginConfig.empty()) ? "its default configuration" : config)
          + " on this worker (" + e.getMessage() + "); run its kit from the plugin's tests");
    }
    List<CaptionRequest> requests = captionRequests();
    CaptionerKit.Preparation prepare = captioner.trainable() ? session -> session.train(requests) : CaptionerKit.Preparation.none();
    return new Plan(new CaptionerKit(captioner, requests, config, extensions, prepare, 7L), null);
  }

  /** Four 32 px images of flat colours with alt text, distinct keys. */
  static List<CaptionRequest> captionRequests() {
    String[] names = {"red", "green", "blue", "yellow"};
    int[][] colours = {{220, 30, 30}, {30, 200, 40}, {30, 40, 220}, {230, 220, 30}};
    List<CaptionRequest> out = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      byte[] rgb = new byte[32 * 32 * 3];
      for (int p = 0; p < 32 * 32; p++) {
        for (int c = 0; c < 3; c++) {
          rgb[p * 3 + c] = (byte) colours[i][c];
        }
      }
      out.add(new CaptionRequest("kit-" + i, new RgbImage(32, 32, rgb), "a " + names[i] + " square", List.of()));
    }
    return out;
  }

  private static ConformanceResult result(PluginInfo info, String status, String message, long millis) {
    String m = message == null ? "" : message;
    return ConformanceResult.newBuilder().setExtensionId(info.getId()).setVersion(info.getVersion())
        .setExtensionPoint(info.getExtensionPoint()).setPluginId(info.getPluginId()).setStatus(status)
        .setMessage(m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m).setMillis(millis).build();
  }

  /** The results so far, one per loaded extension (in the order the worker advertises them). */
  public List<ConformanceResult> results() {
    synchronized (results) {
      return List.copyOf(results);
    }
  }

  /** Waits until the kits of the extensions loaded at the start have run; false if {@code timeout} passed first. */
  public boolean awaitDone(Duration timeout) throws InterruptedException {
    return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops after the kit that is running (a kit is not interruptible midway) and waits for it, up
   * to 30 s: the worker unloads the plugins the kit uses next.
   */
  @Override
  public void close() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
