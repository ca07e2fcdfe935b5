package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.bus.Addresses;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.PluginChunkRequest;
import dev.recap.bus.msg.PluginListRequest;
import dev.recap.coordinator.plugin.PluginStore;
import dev.recap.bus.msg.JobEvent;
import dev.recap.bus.msg.MetricEvent;
import dev.recap.bus.msg.TaskProgress;
import dev.recap.bus.msg.TaskRequest;
import dev.recap.bus.msg.TaskResult;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.coordinator.journal.JobJournal;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecException;
import dev.recap.coordinator.spec.SpecProblem;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator: accepts jobs, plans their stages into tasks as dependencies finish, leases
 * tasks to capable workers, re-queues on lease expiry or worker loss, retries up to the job's
 * limit, and journals everything a restart needs.
 *
 * <p>This class wires the parts that do it ({@link JobSubmission}, {@link StagePlanning},
 * {@link Dispatcher}, {@link ResultIntake}, {@link TaskRetries}, {@link WorkerRegistry},
 * {@link MembershipWatch}, {@link TelemetryIntake}, {@link JobViews}, {@link ClusterViews}) to the
 * event bus and owns their lifecycle. All their state is guarded by one lock, shared by every
 * part: a result, for instance, completes a task, plans the next stage and leases its tasks in one
 * step.
 */
public final class Coordinator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

  /**
   * @param stateDir holds the journal
   * @param longPollMillis how long a task request waits for work before "no task"
   * @param workerTimeoutMillis a worker not heard from for this long is not listed as alive
   */
  public record Options(Path stateDir, long longPollMillis, long workerTimeoutMillis) {
    public static Options defaults(Path stateDir) {
      return new Options(stateDir, 5000, 10_000);
    }
  }

  /** How long closing waits for the gang state of just-ended jobs to be dropped. */
  private static final long GANG_STATE_CLEANUP_WAIT_MILLIS = 10_000;

  private final Object lock = new Object();
  private final RecapCluster cluster;
  private final JobJournal journal;
  private final JobTable jobs = new JobTable();
  private final LiveFeed feed = new LiveFeed();
  private final WorkerRegistry workers;
  private final CoordinatorMetrics metrics;
  private final StagePlanning planning;
  private final Dispatcher dispatcher;
  private final JobSubmission submission;
  private final MembershipWatch membership;
  private final GangStateCleanup gangState;
  private final JobViews jobViews;
  private final ClusterViews clusterViews;
  private final PluginPublishing publishing;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final long expiryTimer;

  private Coordinator(RecapCluster cluster, StagePlanners planners, Options options, LongSupplier clock) {
    this.cluster = cluster;
    EventBus bus = cluster.vertx().eventBus();
    this.journal = JobJournal.open(options.stateDir());
    LeaseTable leases = new LeaseTable(clock);
    JobEvents events = new JobEvents(jobs, journal, feed, bus, clock);
    this.gangState = new GangStateCleanup(cluster);
    JobOutcomes outcomes = new JobOutcomes(jobs, leases, journal, events, feed, gangState, clock);
    this.workers = new WorkerRegistry(lock, leases, events, feed, options.workerTimeoutMillis(), clock);
    this.metrics = new CoordinatorMetrics(() -> workers.alive().size(), () -> {
      synchronized (lock) {
        return leases.queued();
      }
    }, () -> {
      synchronized (lock) {
        return jobs.running().size();
      }
    });
    this.planning = new StagePlanning(planners, cluster.codec().format(), leases, events, outcomes, clock);
    this.dispatcher = new Dispatcher(lock, cluster.vertx(), jobs, workers, leases, metrics, feed,
        options.longPollMillis(), clock);
    this.submission = new JobSubmission(lock, jobs, workers, planning, dispatcher, journal, events, gangState, clock);
    TaskRetries retries = new TaskRetries(lock, jobs, leases, journal, metrics, events, outcomes, dispatcher);
    ResultIntake results = new ResultIntake(lock, jobs, leases, journal, metrics, events, planning, dispatcher,
        retries, feed);
    this.membership = new MembershipWatch(lock, workers, dispatcher, leases, events, retries);
    TelemetryIntake telemetry = new TelemetryIntake(lock, jobs, events, metrics, feed, bus, clock);
    this.jobViews = new JobViews(lock, jobs, clock);
    this.clusterViews = new ClusterViews(lock, workers, leases);
    PluginStore store = PluginStore.open(options.stateDir().resolve("plugins"), journal.replayed(), journal::append, clock);
    this.publishing = new PluginPublishing(lock, cluster.vertx(), store, workers, feed);

    submission.recover(JournalRecovery.jobs(journal.replayed(), journal.file()));
    consumers.add(bus.<WorkerHello>consumer(Addresses.WORKER_HELLO, m -> {
      workers.onHello(m);
      synchronized (lock) {
        dispatcher.dispatch(); // a worker that now offers a published plugin may take a waiting task
      }
    }));
    consumers.add(bus.<TaskRequest>consumer(Addresses.TASK_REQUEST, dispatcher::onTaskRequest));
    consumers.add(bus.<Heartbeat>consumer(Addresses.HEARTBEAT, workers::onHeartbeat));
    consumers.add(bus.<TaskResult>consumer(Addresses.TASK_RESULT, results::onResult));
    consumers.add(bus.<TaskProgress>consumer(Addresses.TASK_PROGRESS, m -> telemetry.onProgress(m.body())));
    consumers.add(bus.<MetricEvent>consumer(Addresses.METRIC, m -> telemetry.onMetric(m.body())));
    consumers.add(bus.<JobEvent>consumer(Addresses.TASK_EVENT, m -> telemetry.onTaskNote(m.body())));
    consumers.add(bus.<PluginListRequest>consumer(Addresses.PLUGIN_LIST, publishing::onList));
    consumers.add(bus.<PluginChunkRequest>consumer(Addresses.PLUGIN_CHUNK, publishing::onChunk));
    cluster.onMemberLeft(membership::onMemberLeft);
    this.expiryTimer = cluster.vertx().setPeriodic(250, id -> retries.expireLeases());
  }

  /** Starts a coordinator on this member, recovering unfinished jobs from the journal in {@code options.stateDir()}. */
  public static Coordinator start(RecapCluster cluster, StagePlanners planners, Options options, LongSupplier clock) {
    Coordinator c = new Coordinator(cluster, planners, options, clock);
    // consumers must be registered cluster-wide before workers can reach us
    for (MessageConsumer<?> consumer : c.consumers) {
      try {
        consumer.completion().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("coordinator could not register on the event bus: " + e, e);
      }
    }
    LOG.info("coordinator on {} with journal {}", cluster.address(), c.journal.file());
    return c;
  }

  /** Starts with the system clock. */
  public static Coordinator start(RecapCluster cluster, StagePlanners planners, Options options) {
    return start(cluster, planners, options, System::currentTimeMillis);
  }

  /**
   * Parses, validates (against the plugins live workers advertise) and starts a job.
   *
   * @return the job id
   * @throws SpecException naming every problem
   */
  public String submit(String yaml, String source) {
    return submission.submit(yaml, source, null);
  }

  /**
   * As {@link #submit(String, String)} for a spec read from a file in {@code folder}: relative
   * paths in it (a {@code dataset} stage's {@code shards}) resolve against that folder.
   */
  public String submit(String yaml, String source, java.nio.file.Path folder) {
    return submission.submit(yaml, source, folder);
  }

  /** Checks every stage with its planner; {@code check} carries the live plugins. */
  public List<SpecProblem> validate(JobSpec spec, SpecCheck check) {
    return planning.validate(spec, check);
  }

  /**
   * Subscribes to the live feed the console streams: JSON messages {@code {type: "worker"}},
   * {@code {type: "job", jobId}}, {@code {type: "event", jobId, time, level, kind, stage, taskId,
   * message}} and {@code {type: "metric", jobId, series, step, value}}. The listener is called
   * under the coordinator's lock: it must only hand the message on, never block.
   *
   * @return unsubscribes
   */
  public Runnable subscribe(Consumer<JsonObject> listener) {
    return feed.subscribe(listener);
  }

  /** The status of one job, or null if unknown. */
  public JobStatus status(String jobId) {
    return jobViews.status(jobId);
  }

  /** Every job this coordinator knows (running and finished, including recovered ones). */
  public List<JobStatus> jobs() {
    return jobViews.statuses();
  }

  /** Every job as the console lists it: the status JSON, each stage with samplesPerSec and etaSeconds. */
  public JsonArray jobsJson() {
    return jobViews.jobsJson();
  }

  /** One job as {@link #jobsJson()} lists it (stages with samplesPerSec and etaSeconds), or null if unknown. */
  public JsonObject jobView(String jobId) {
    return jobViews.jobView(jobId);
  }

  /**
   * One job with its events log ({@code events: [{time, level, kind, stage, taskId, message}]},
   * oldest first) and metric series ({@code series: {"<stage>/<name>": [[step, value], ...]}}), or
   * null if unknown.
   */
  public JsonObject jobJson(String jobId) {
    return jobViews.jobJson(jobId);
  }

  /**
   * What a job's finished tasks declared and reported (outputs and result JSON), by task id
   * ({@code job/stage/name}), in plan order; null for an unknown job.
   */
  public Map<String, TaskOutputs> taskOutputs(String jobId) {
    return jobViews.taskOutputs(jobId);
  }

  /** The artifact root the job's spec names ({@code output}), or null when workers use their own default. */
  public String outputRoot(String jobId) {
    return jobViews.outputRoot(jobId);
  }

  /**
   * The plugins live workers advertise, one entry per (extension point, id, version):
   * {@code [{id, version, extensionPoint, pluginId, workers: [ids], conformance,
   * conformanceReports: [{workerId, status, message, millis}]}]}. {@code conformance} aggregates
   * what the workers' kits reported with their heartbeats (see {@link ConformanceVerdict}).
   */
  public JsonArray pluginsJson() {
    return clusterViews.pluginsJson();
  }

  /**
   * Publishes a plugin jar to the cluster: stores it under its SHA-256 (in {@code plugins/} of the
   * state directory), journals it, and announces it to the workers, which fetch it, check it and
   * run its conformance kits before they offer it to jobs. The same bytes again change nothing.
   *
   * @param name the jar's file name, for messages and listings
   * @throws dev.recap.coordinator.plugin.PluginRejectedException for a jar without a PF4J
   *     descriptor, or a different jar with an id@version already published
   */
  public PluginStore.Publication publishPlugin(byte[] jar, String name) {
    return publishing.publish(jar, name);
  }

  /**
   * The published plugin jars with what the live workers did with them: {@code [{pluginId,
   * version, sha256, shortSha, sizeBytes, name, publishedAtMillis, kit, kitMessage, loadedOn,
   * workers: [{workerId, state, message, kit, kitMessage}]}]}; {@code kit} is passed, failed,
   * pending or skipped.
   */
  public JsonArray publishedPluginsJson() {
    return publishing.json();
  }

  /** Completes when the job finishes. */
  public CompletableFuture<JobStatus> completion(String jobId) {
    return jobs.completion(jobId);
  }

  /** Live workers as JSON (id, host, device, cores, memory, slots, plugins, task types, leases held). */
  public JsonArray workersJson() {
    return clusterViews.workersJson();
  }

  /** Number of workers heard from recently. */
  public int aliveWorkerCount() {
    return workers.alive().size();
  }

  /** The Micrometer registry; {@code scrape()} gives the Prometheus text. */
  public PrometheusMeterRegistry metrics() {
    return metrics.registry;
  }

  /** The journal file, for operators and tests. */
  public Path journalFile() {
    return journal.file();
  }

  @Override
  public void close() {
    membership.stop();
    cluster.vertx().cancelTimer(expiryTimer);
    for (MessageConsumer<?> c : consumers) {
      c.unregister().onFailure(e -> LOG.warn("coordinator closing: its handler of {} stays registered on this member's"
          + " event bus until the member closes: {}", c.address(), e.toString()));
    }
    dispatcher.close();
    gangState.awaitUnderWay(GANG_STATE_CLEANUP_WAIT_MILLIS);
    journal.close();
  }
}
