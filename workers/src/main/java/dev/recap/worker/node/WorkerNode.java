package dev.recap.worker.node;

import ai.djl.Device;
import dev.recap.api.Extensions;
import dev.recap.bus.Addresses;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.SingleObjectFormat;
import dev.recap.bus.WorkerDevice;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.PluginInfo;
import dev.recap.bus.msg.PublishedPlugin;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.HeldLease;
import dev.recap.bus.msg.JobEvent;
import dev.recap.bus.msg.MetricEvent;
import dev.recap.bus.msg.TaskFailure;
import dev.recap.bus.msg.TaskLease;
import dev.recap.bus.msg.TaskProgress;
import dev.recap.bus.msg.TaskRequest;
import dev.recap.bus.msg.TaskResult;
import dev.recap.bus.msg.TaskSuccess;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.worker.device.WorkerDevices;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker on the cluster. Each slot is a thread that asks the coordinator for a task, runs it
 * through its {@link TaskHandler}, and sends the result until it is acknowledged; a heartbeat
 * renews every held lease. A worker never decides what to do next: it runs what it was leased.
 * A failing task becomes a failure result; the worker stays up.
 */
public final class WorkerNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);

  /**
   * Worker settings; {@link #defaults(String, Path)} gives sensible ones.
   *
   * @param conformanceKits whether the worker runs the conformance kit of every loaded extension
   *     in the background after it joins and reports the outcomes with its heartbeats
   * @param device what the worker computes on and advertises; its tasks and plugins put their
   *     arrays there (checked by the launcher, see {@code WorkerDevices.open})
   */
  public record Options(String workerId, Path artifactRoot, int slots, Duration heartbeat, Duration requestTimeout,
      boolean conformanceKits, WorkerDevice device) {
    public Options {
      Objects.requireNonNull(workerId, "workerId");
      Objects.requireNonNull(artifactRoot, "artifactRoot");
      Objects.requireNonNull(device, "device");
      if (slots < 1) {
        throw new IllegalArgumentException("slots must be at least 1, got " + slots);
      }
    }

    /** On the CPU. */
    public Options(String workerId, Path artifactRoot, int slots, Duration heartbeat, Duration requestTimeout,
        boolean conformanceKits) {
      this(workerId, artifactRoot, slots, heartbeat, requestTimeout, conformanceKits, WorkerDevice.cpu());
    }

    /** With the conformance kits on, on the CPU. */
    public Options(String workerId, Path artifactRoot, int slots, Duration heartbeat, Duration requestTimeout) {
      this(workerId, artifactRoot, slots, heartbeat, requestTimeout, true);
    }

    /** One slot, 1 s heartbeat, 30 s request timeout (the coordinator long-polls for 5 s), conformance kits on, CPU. */
    public static Options defaults(String workerId, Path artifactRoot) {
      return new Options(workerId, artifactRoot, 1, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    public Options withSlots(int n) {
      return new Options(workerId, artifactRoot, n, heartbeat, requestTimeout, conformanceKits, device);
    }

    /** The same options with the conformance kits on or off. */
    public Options withConformanceKits(boolean on) {
      return new Options(workerId, artifactRoot, slots, heartbeat, requestTimeout, on, device);
    }
  }

  private final RecapCluster cluster;
  private final EventBus bus;
  private final SingleObjectFormat format;
  private final WorkerPlugins plugins;
  private final TaskHandlers handlers;
  private final Options options;
  private volatile WorkerHello hello;
  private final Device device;
  private final OfferedPlugins offered = new OfferedPlugins();
  private final PublishedPluginFetcher fetcher;
  private MessageConsumer<PublishedPlugin> publishedConsumer;
  private final Map<String, RunningTask> held = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  /**
   * A slot checks that the worker runs and sends its task request as one step: a request sent
   * just after close would reach a coordinator that may be unregistering, or gone.
   */
  private final Object requestGate = new Object();
  private final List<Thread> slots = new ArrayList<>();
  private final LeaseLatencies leaseLatencies = new LeaseLatencies();
  private final java.util.concurrent.atomic.AtomicLong finishedTasks = new java.util.concurrent.atomic.AtomicLong();
  private final long heartbeatTimer;
  private volatile PluginConformance conformance;

  /** {@code finished}: the attempt ended and its result is being delivered; a revocation is then moot. */
  private record RunningTask(TaskLease lease, AtomicBoolean cancelled, AtomicBoolean finished) {}

  private WorkerNode(RecapCluster cluster, WorkerPlugins plugins, TaskHandlers handlers, Options options) {
    this.cluster = cluster;
    this.bus = cluster.vertx().eventBus();
    this.format = cluster.codec().format();
    this.plugins = plugins;
    this.handlers = handlers;
    this.options = options;
    this.device = WorkerDevices.toDjl(options.device());
    // jars fetched before this start are still published plugins: held until their kits pass
    Set<String> fetched = PublishedPluginFetcher.fetchedBefore(plugins.directory());
    plugins.jars().values().stream().filter(j -> fetched.contains(j.sha256())).forEach(j -> offered.markPublished(j.pluginId()));
    long memory = Runtime.getRuntime().maxMemory();
    this.hello = WorkerHello.newBuilder().setWorkerId(options.workerId()).setNodeId(cluster.nodeId())
        .setHost(cluster.options().bindHost()).setDevice(options.device().toString())
        .setCores(Runtime.getRuntime().availableProcessors()).setMemoryBytes(memory).setSlots(options.slots())
        .setPlugins(offered()).setTaskTypes(new ArrayList<>(handlers.types())).build();
    this.fetcher = new PublishedPluginFetcher(bus, plugins, options.workerId(), this::publishedLoaded);
    this.heartbeatTimer = cluster.vertx().setPeriodic(options.heartbeat().toMillis(), id -> heartbeat());
  }

  /** Starts the slots and announces the worker (the announcement may go unheard; requests repeat it). */
  public static WorkerNode start(RecapCluster cluster, WorkerPlugins plugins, TaskHandlers handlers, Options options) {
    WorkerNode node = new WorkerNode(cluster, plugins, handlers, options);
    node.bus.request(Addresses.WORKER_HELLO, node.hello, new DeliveryOptions().setSendTimeout(5000));
    node.conformance = PluginConformance.start(plugins, options.workerId(), node.device, options.conformanceKits(),
        node.offered.published(), node::refreshHello);
    node.refreshHello(); // a kit may have finished before the field was set
    node.publishedConsumer = node.bus.consumer(Addresses.PLUGIN_PUBLISHED, m -> node.fetcher.announced(m.body()));
    node.fetcher.start();
    for (int i = 0; i < options.slots(); i++) {
      Thread t = new Thread(node::slotLoop, options.workerId() + "-slot-" + i);
      t.setDaemon(true);
      node.slots.add(t);
      t.start();
    }
    LOG.info("worker {} started on {} with {} slot(s) on {}, task types {}, plugins {}", options.workerId(),
        cluster.address(), options.slots(), options.device(), handlers.types(), plugins.advertised().size());
    return node;
  }

  /** What this worker advertises. */
  public WorkerHello hello() {
    return hello;
  }

  /** A published jar was loaded: its kits run, and its extensions are offered once they passed. */
  private void publishedLoaded(List<WorkerPlugins.Loaded> extensions) {
    extensions.forEach(l -> offered.markPublished(l.info().getPluginId()));
    PluginConformance kits = conformance;
    if (kits != null) {
      kits.check(extensions, this::refreshHello);
    }
    refreshHello();
  }

  /** What the worker offers now (see {@link OfferedPlugins}). */
  private List<PluginInfo> offered() {
    PluginConformance kits = conformance;
    return offered.of(plugins.advertised(), kits == null ? List.of() : kits.results());
  }

  /** Re-announces the worker when what it offers changed (task requests carry it from then on). */
  private synchronized void refreshHello() {
    List<PluginInfo> offered = offered();
    if (offered.equals(hello.getPlugins())) {
      return;
    }
    hello = WorkerHello.newBuilder(hello).setPlugins(offered).build();
    LOG.info("worker {} now offers plugins {}", options.workerId(),
        offered.stream().map(p -> p.getId() + "@" + p.getVersion()).toList());
    bus.request(Addresses.WORKER_HELLO, hello, new DeliveryOptions().setSendTimeout(5000));
  }

  /** The conformance kits' outcomes so far, as the heartbeat reports them. */
  public PluginConformance conformance() {
    return conformance;
  }

  /** Request-to-lease round trips this worker measured (for benchmarks). */
  public LeaseLatencies leaseLatencies() {
    return leaseLatencies;
  }

  private void slotLoop() {
    long backoff = 100;
    while (running.get()) {
      TaskLease lease;
      long start = System.nanoTime();
      try {
        Future<Message<TaskLease>> request;
        synchronized (requestGate) {
          if (!running.get()) {
            return;
          }
          request = bus.request(Addresses.TASK_REQUEST, new TaskRequest(hello, start),
              new DeliveryOptions().setSendTimeout(options.requestTimeout().toMillis()));
        }
        Message<TaskLease> reply = await(request);
        lease = reply.body();
        leaseLatencies.record(System.nanoTime() - start);
        backoff = 100;
      } catch (ReplyException e) {
        if (e.failureType() == ReplyFailure.RECIPIENT_FAILURE && e.failureCode() == Addresses.NO_TASK) {
          continue;
        }
        // no coordinator yet, or it just died: wait and ask again
        backoff = pause(backoff);
        continue;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("worker {}: task request failed: {}", options.workerId(), e.toString());
        backoff = pause(backoff);
        continue;
      }
      run(lease);
    }
  }

  private long pause(long backoff) {
    try {
      Thread.sleep(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
    return Math.min(backoff * 2, 2000);
  }

  private void run(TaskLease lease) {
    RunningTask task = new RunningTask(lease, new AtomicBoolean(), new AtomicBoolean());
    held.put(lease.getTaskId(), task);
    long start = System.currentTimeMillis();
    SpecificRecord outcome;
    try {
      outcome = execute(lease, task.cancelled());
    } catch (Throwable t) {
      outcome = failure(t);
      LOG.info("worker {}: task {} attempt {} failed: {}", options.workerId(), lease.getTaskId(), lease.getAttempt(), t.toString());
    }
    TaskResult result = TaskResult.newBuilder().setTaskId(lease.getTaskId()).setJobId(lease.getJobId())
        .setAttempt(lease.getAttempt()).setWorkerId(options.workerId())
        .setDurationMillis(System.currentTimeMillis() - start).setOutcome(outcome).build();
    task.finished().set(true);
    finishedTasks.incrementAndGet();
    try {
      deliver(result);
    } finally {
      held.remove(lease.getTaskId());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private SpecificRecord execute(TaskLease lease, AtomicBoolean cancelled) throws Exception {
    TaskHandler handler = handlers.get(lease.getTaskType());
    if (handler == null) {
      throw new IllegalStateException("worker " + options.workerId() + " has no handler for task type '"
          + lease.getTaskType() + "'; it handles " + handlers.types());
    }
    Object payload = format.decode(lease.getPayload(), handler.payloadType());
    Path root = lease.getOutputRoot() == null ? options.artifactRoot() : Path.of(lease.getOutputRoot());
    FileArtifactStore artifacts = new FileArtifactStore(root, lease.getJobId(), lease.getTaskId());
    TaskCode code = new TaskCode(plugins);
    artifacts.decorateResults(code::addTo);
    LeasedTaskContext context = new LeasedTaskContext(lease, payload, artifacts, cancelled, code);
    EngineGate.task(() -> {
      handler.execute(context);
      return null;
    });
    return new TaskSuccess(artifacts.declaredPaths(), artifacts.declared(), artifacts.result());
  }

  static TaskFailure failure(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    String stack = trace.toString();
    return new TaskFailure(t.getClass().getName(), String.valueOf(t.getMessage()),
        stack.length() > 8000 ? stack.substring(0, 8000) : stack, !(t instanceof PermanentTaskFailure));
  }

  /** Sends the result until the coordinator acknowledges it (delivery is at most once). */
  private void deliver(TaskResult result) {
    long backoff = 200;
    while (true) {
      try {
        await(bus.request(Addresses.TASK_RESULT, result, new DeliveryOptions().setSendTimeout(10_000)));
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (!running.get()) {
          LOG.warn("worker {} closing with result of {} undelivered", options.workerId(), result.getTaskId());
          return;
        }
        backoff = pause(backoff);
      }
    }
  }

  private void heartbeat() {
    // the worker's own metrics ride along with the heartbeat
    long now = System.currentTimeMillis();
    bus.send(Addresses.METRIC, new MetricEvent(options.workerId(), null, null, "slots.busy", (double) held.size(), now, new HashMap<>()));
    bus.send(Addresses.METRIC, new MetricEvent(options.workerId(), null, null, "tasks.finished", (double) finishedTasks.get(), now,
        new HashMap<>()));
    List<HeldLease> leases = new ArrayList<>();
    held.values().forEach(t -> leases.add(new HeldLease(t.lease().getTaskId(), t.lease().getAttempt())));
    PluginConformance kits = conformance;
    Heartbeat hb = new Heartbeat(options.workerId(), System.currentTimeMillis(), leases,
        kits == null ? List.of() : kits.results(), fetcher.states());
    bus.<HeartbeatAck>request(Addresses.HEARTBEAT, hb, new DeliveryOptions().setSendTimeout(options.heartbeat().toMillis() * 3))
        .onSuccess(reply -> {
          for (String id : reply.body().getRevokedTaskIds()) {
            RunningTask t = held.get(id);
            if (t != null && !t.finished().get() && t.cancelled().compareAndSet(false, true)) {
              LOG.info("worker {}: lease of {} revoked by the coordinator", options.workerId(), id);
            }
          }
          if (!reply.body().getKnownWorker()) {
            bus.request(Addresses.WORKER_HELLO, hello, new DeliveryOptions().setSendTimeout(5000));
          }
        });
  }

  private static <T> T await(Future<T> future) throws InterruptedException {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Stops asking for work; running tasks are interrupted. Leaves the cluster member and plugins open. */
  @Override
  public void close() {
    synchronized (requestGate) {
      if (!running.compareAndSet(true, false)) {
        return;
      }
    }
    cluster.vertx().cancelTimer(heartbeatTimer);
    if (publishedConsumer != null) {
      try {
        publishedConsumer.unregister();
      } catch (RuntimeException e) {
        // the cluster member closed first: its event bus, and the consumer with it, are gone
      }
    }
    fetcher.close();
    if (conformance != null) {
      conformance.close(); // waits for a running kit: the plugins it uses are unloaded next
    }
    slots.forEach(Thread::interrupt);
    for (Thread t : slots) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class LeasedTaskContext implements TaskContext<Object> {
    private final TaskLease lease;
    private final Object payload;
    private final ArtifactStore artifacts;
    private final AtomicBoolean cancelled;
    private final Extensions extensions;

    LeasedTaskContext(TaskLease lease, Object payload, ArtifactStore artifacts, AtomicBoolean cancelled, TaskCode code) {
      this.extensions = code.wrap(plugins.extensions().onDevice(device));
      this.lease = lease;
      this.payload = payload;
      this.artifacts = artifacts;
      this.cancelled = cancelled;
    }

    @Override
    public Object payload() {
      return payload;
    }

    @Override
    public String jobId() {
      return lease.getJobId();
    }

    @Override
    public String taskId() {
      return lease.getTaskId();
    }

    @Override
    public String stage() {
      return lease.getStage();
    }

    @Override
    public int attempt() {
      return lease.getAttempt();
    }

    @Override
    public long seed() {
      return lease.getSeed();
    }

    @Override
    public String workerId() {
      return options.workerId();
    }

    @Override
    public void progress(double fraction, String message) {
      bus.send(Addresses.TASK_PROGRESS, new TaskProgress(lease.getTaskId(), lease.getJobId(), lease.getAttempt(),
          options.workerId(), Math.max(0, Math.min(1, fraction)), message == null ? "" : message));
    }

    @Override
    public void metric(String name, double value, Map<String, String> tags) {
      bus.send(Addresses.METRIC, new MetricEvent(options.workerId(), lease.getJobId(), lease.getTaskId(), name, value,
          System.currentTimeMillis(), new HashMap<>(tags)));
    }

    @Override
    public void event(String message) {
      bus.send(Addresses.TASK_EVENT, new JobEvent(lease.getJobId(), "NOTE", lease.getStage(), lease.getTaskId(), message,
          System.currentTimeMillis()));
    }

    @Override
    public Extensions extensions() {
      return extensions;
    }

    @Override
    public Device device() {
      return device;
    }

    @Override
    public com.hazelcast.core.HazelcastInstance hazelcast() {
      return cluster.hazelcast();
    }

    @Override
    public ArtifactStore artifacts() {
      return artifacts;
    }

    @Override
    public boolean isCancelled() {
      return cancelled.get() || !running.get();
    }
  }

  static String defaultWorkerId() {
    String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return "worker-" + name.replace('@', '-');
  }
}
