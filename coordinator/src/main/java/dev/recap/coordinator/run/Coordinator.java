package dev.recap.coordinator.run;

import dev.recap.bus.Addresses;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.SingleObjectFormat;
import dev.recap.bus.exchange.GangState;
import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.Heartbeat;
import dev.recap.bus.msg.HeartbeatAck;
import dev.recap.bus.msg.HeldLease;
import dev.recap.bus.msg.JobEvent;
import dev.recap.bus.msg.MetricEvent;
import dev.recap.bus.msg.PluginInfo;
import dev.recap.bus.msg.TaskFailure;
import dev.recap.bus.msg.TaskLease;
import dev.recap.bus.msg.TaskProgress;
import dev.recap.bus.msg.TaskRequest;
import dev.recap.bus.msg.TaskResult;
import dev.recap.bus.msg.TaskSuccess;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.coordinator.journal.JobJournal;
import dev.recap.coordinator.lease.Lease;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.lease.QueuedTask;
import dev.recap.coordinator.plan.PlannedTask;
import dev.recap.coordinator.plan.PlanningInput;
import dev.recap.coordinator.plan.StagePlanner;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.run.JobRun.TaskRun;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecException;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator: accepts jobs, plans their stages into tasks as dependencies finish, leases
 * tasks to capable workers, re-queues on lease expiry or worker loss, retries up to the job's
 * limit, and journals everything a restart needs. All state is guarded by this object's lock.
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

  /** A live worker: what it advertised, when it was last heard, and its latest conformance-kit report. */
  private record Worker(WorkerHello hello, long lastSeenMillis, List<ConformanceResult> conformance) {}

  /**
   * After recovering running jobs, how long nothing is leased: workers still running tasks of the
   * previous coordinator report them in their heartbeats (every second by default) and the tasks
   * are adopted, instead of being leased a second time to another worker (which would run them
   * twice and get the running attempt revoked).
   */
  static final long ADOPTION_GRACE_MILLIS = 3000;

  private record Parked(Message<TaskRequest> message, long timer) {}

  private final RecapCluster cluster;
  private final EventBus bus;
  private final StagePlanners planners;
  private final Options options;
  private final LongSupplier clock;
  private final SingleObjectFormat format;
  private final JobJournal journal;
  private final LeaseTable leases;
  private final Map<String, JobRun> jobs = new LinkedHashMap<>();
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  private final List<Parked> parked = new ArrayList<>();
  private final Map<String, CompletableFuture<JobStatus>> completions = new ConcurrentHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final CoordinatorMetrics metrics;
  private final long expiryTimer;
  private final SecureRandom random = new SecureRandom();
  private final LiveFeed feed = new LiveFeed();
  private long leaseAfterMillis;

  private Coordinator(RecapCluster cluster, StagePlanners planners, Options options, LongSupplier clock) {
    this.cluster = cluster;
    this.bus = cluster.vertx().eventBus();
    this.planners = planners;
    this.options = options;
    this.clock = clock;
    this.format = cluster.codec().format();
    this.journal = JobJournal.open(options.stateDir());
    this.leases = new LeaseTable(clock);
    this.metrics = new CoordinatorMetrics(() -> aliveWorkers().size(), this::queued, this::runningJobs);
    recover();
    consumers.add(bus.<WorkerHello>consumer(Addresses.WORKER_HELLO, m -> {
      seen(m.body());
      m.reply(null);
    }));
    consumers.add(bus.<TaskRequest>consumer(Addresses.TASK_REQUEST, this::onTaskRequest));
    consumers.add(bus.<Heartbeat>consumer(Addresses.HEARTBEAT, this::onHeartbeat));
    consumers.add(bus.<TaskResult>consumer(Addresses.TASK_RESULT, this::onResult));
    consumers.add(bus.<TaskProgress>consumer(Addresses.TASK_PROGRESS, m -> onProgress(m.body())));
    consumers.add(bus.<MetricEvent>consumer(Addresses.METRIC, m -> onMetric(m.body())));
    consumers.add(bus.<JobEvent>consumer(Addresses.TASK_EVENT, m -> onTaskNote(m.body())));
    cluster.onMemberLeft(this::onMemberLeft);
    this.expiryTimer = cluster.vertx().setPeriodic(250, id -> expireLeases());
    if (leaseAfterMillis > clock.getAsLong()) {
      cluster.vertx().setTimer(ADOPTION_GRACE_MILLIS, id -> {
        synchronized (this) {
          dispatch();
        }
      });
    }
  }

  /** Starts a coordinator on this member, recovering unfinished jobs from the journal in {@code options.stateDir()}. */
  public static Coordinator start(RecapCluster cluster, StagePlanners planners, Options options, LongSupplier clock) {
    Coordinator c = new Coordinator(cluster, planners, options, clock);
    // consumers must be registered cluster-wide before workers can reach us
    for (MessageConsumer<?> consumer : c.consumers) {
      try {
        consumer.completion().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
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

  // ---- submission and validation -------------------------------------------------------------

  /**
   * Parses, validates (against the plugins live workers advertise) and starts a job.
   *
   * @return the job id
   * @throws SpecException naming every problem
   */
  public String submit(String yaml, String source) {
    JobSpec spec = JobSpecParser.parse(yaml, source);
    synchronized (this) {
      Set<String> live = new TreeSet<>();
      aliveWorkers().forEach(w -> w.hello().getPlugins().forEach(p -> live.add(p.getId())));
      List<SpecProblem> problems = validate(spec, new SpecCheck(live));
      if (!problems.isEmpty()) {
        throw new SpecException(source, problems);
      }
      String jobId = spec.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
          + "-" + Integer.toHexString(0x1000 + random.nextInt(0xf000));
      JobRun job = new JobRun(jobId, spec, clock.getAsLong());
      journal.append(new JsonObject().put("type", "job").put("jobId", jobId).put("spec", yaml)
          .put("source", source).put("submittedAtMillis", job.submittedAtMillis));
      jobs.put(jobId, job);
      completions.put(jobId, new CompletableFuture<>());
      event(job, "SUBMITTED", null, null, "submitted from " + source);
      LOG.info("job {} submitted: {} stage(s)", jobId, spec.stages().size());
      planReadyStages(job);
      dispatch();
      return jobId;
    }
  }

  /** Checks every stage with its planner; {@code check} carries the live plugins. */
  public List<SpecProblem> validate(JobSpec spec, SpecCheck check) {
    for (StageSpec stage : spec.stages()) {
      StagePlanner planner = planners.get(stage.kind());
      if (planner == null) {
        check.problem(stage.path() + ".kind", "unknown stage kind '" + stage.kind() + "'; known kinds: "
            + new TreeSet<>(planners.kinds()));
      } else {
        planner.validate(stage, spec, check);
      }
    }
    return check.problems();
  }

  // ---- planning -----------------------------------------------------------------------------

  private void planReadyStages(JobRun job) {
    boolean changed = true;
    while (changed && job.state.equals("RUNNING")) {
      changed = false;
      for (StageRun stage : job.stages.values()) {
        if (stage.planned || !stage.spec.after().stream().allMatch(a -> job.stages.get(a).complete())) {
          continue;
        }
        Map<String, Map<String, TaskOutputs>> deps = new LinkedHashMap<>();
        for (String a : stage.spec.after()) {
          Map<String, TaskOutputs> outs = new LinkedHashMap<>();
          for (String id : job.stages.get(a).taskIds) {
            TaskRun t = job.tasks.get(id);
            outs.put(t.planned.name(), t.outputs);
          }
          deps.put(a, outs);
        }
        List<PlannedTask> planned;
        try {
          planned = planners.get(stage.spec.kind()).plan(stage.spec, new PlanningInput(job.jobId, job.spec, deps));
        } catch (RuntimeException e) {
          failJob(job, "planning stage " + stage.spec.name() + " failed: " + e);
          return;
        }
        stage.planned = true;
        changed = true;
        job.telemetry.stagePlanned(stage.spec.name(), clock.getAsLong());
        for (PlannedTask p : planned) {
          String taskId = job.jobId + "/" + stage.spec.name() + "/" + p.name();
          if (job.tasks.containsKey(taskId)) {
            failJob(job, "planner of stage " + stage.spec.name() + " produced task name '" + p.name() + "' twice");
            return;
          }
          ByteBuffer payload = format.encode(p.payload());
          TaskRun t = new TaskRun(taskId, stage.spec.name(), p, payload,
              taskSeed(job.spec.seed(), stage.spec.name() + "/" + p.name()));
          t.attempts = job.recoveredAttempts.getOrDefault(taskId, 0);
          job.tasks.put(taskId, t);
          stage.taskIds.add(taskId);
          TaskOutputs done = job.recoveredDone.remove(taskId);
          if (done != null) {
            t.done = true;
            t.outputs = done;
            stage.done++;
          } else {
            leases.enqueue(new QueuedTask(taskId, job.jobId, p.taskType(), p.requiredPlugins(), t.attempts,
                job.spec.leaseSeconds() * 1000L));
          }
        }
        event(job, "STAGE_PLANNED", stage.spec.name(), null, planned.size() + " task(s)");
      }
    }
    if (job.state.equals("RUNNING") && job.stages.values().stream().allMatch(StageRun::complete)) {
      finish(job, "SUCCEEDED", null);
    }
  }

  /**
   * A task's seed: fixed by the job seed and the task's place in the spec ({@code <stage>/<task>},
   * not the job id, which changes with every submission), so every attempt and every
   * resubmission of the same spec sees the same seed.
   */
  static long taskSeed(long jobSeed, String stageAndTask) {
    long h = jobSeed * 0x9E3779B97F4A7C15L + stageAndTask.hashCode();
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }

  // ---- dispatch -----------------------------------------------------------------------------

  private void onTaskRequest(Message<TaskRequest> m) {
    synchronized (this) {
      WorkerHello w = m.body().getWorker();
      seen(w);
      TaskLease lease = tryLease(w);
      if (lease != null) {
        m.reply(lease);
        return;
      }
      long timer = cluster.vertx().setTimer(options.longPollMillis(), id -> {
        synchronized (this) {
          parked.removeIf(p -> p.message() == m);
        }
        m.fail(Addresses.NO_TASK, "no task for now");
      });
      parked.add(new Parked(m, timer));
    }
  }

  private TaskLease tryLease(WorkerHello w) {
    if (clock.getAsLong() < leaseAfterMillis) {
      return null; // still adopting the previous coordinator's running leases
    }
    Set<String> plugins = new HashSet<>();
    w.getPlugins().forEach(p -> plugins.add(p.getId()));
    Lease lease = leases.lease(w.getWorkerId(), plugins, new HashSet<>(w.getTaskTypes()));
    if (lease == null) {
      return null;
    }
    JobRun job = jobs.get(lease.task().jobId());
    TaskRun task = job.tasks.get(lease.task().taskId());
    task.attempts = lease.attempt();
    metrics.leased();
    // the cluster page shows each worker's current task
    publish(new JsonObject().put("type", "worker").put("workerId", w.getWorkerId()));
    return TaskLease.newBuilder().setTaskId(task.taskId).setJobId(job.jobId).setStage(task.stage)
        .setAttempt(lease.attempt()).setLeaseDeadlineMillis(lease.deadlineMillis())
        .setLeaseMillis(lease.task().leaseMillis()).setTaskType(task.planned.taskType())
        .setPayloadSchema(task.planned.payload().getSchema().getFullName()).setPayload(task.payload.duplicate())
        .setSeed(task.seed).setOutputRoot(job.spec.output()).build();
  }

  /** Hands queued tasks to parked requests. */
  private void dispatch() {
    Iterator<Parked> it = parked.iterator();
    while (it.hasNext() && leases.queued() > 0) {
      Parked p = it.next();
      TaskLease lease = tryLease(p.message().body().getWorker());
      if (lease != null) {
        it.remove();
        cluster.vertx().cancelTimer(p.timer());
        p.message().reply(lease);
      }
    }
  }

  private void onHeartbeat(Message<Heartbeat> m) {
    List<String> revoked = new ArrayList<>();
    boolean known;
    boolean conformanceChanged = false;
    synchronized (this) {
      Heartbeat hb = m.body();
      Worker w = workers.get(hb.getWorkerId());
      known = w != null;
      if (known) {
        List<ConformanceResult> conformance = List.copyOf(hb.getConformance());
        conformanceChanged = !conformance.equals(w.conformance());
        workers.put(hb.getWorkerId(), new Worker(w.hello(), clock.getAsLong(), conformance));
      }
      for (HeldLease l : hb.getLeases()) {
        if (!leases.renew(hb.getWorkerId(), l.getTaskId(), l.getAttempt())
            && !leases.adopt(hb.getWorkerId(), l.getTaskId(), l.getAttempt())) {
          revoked.add(l.getTaskId());
        }
      }
    }
    m.reply(new HeartbeatAck(revoked, known));
    if (conformanceChanged) {
      // the Plugins page redraws when a kit's outcome arrives
      publish(new JsonObject().put("type", "worker").put("workerId", m.body().getWorkerId()).put("conformance", true));
    }
  }

  // ---- results and retries ------------------------------------------------------------------

  private void onResult(Message<TaskResult> m) {
    TaskResult r = m.body();
    synchronized (this) {
      JobRun job = jobs.get(r.getJobId());
      TaskRun task = job == null ? null : job.tasks.get(r.getTaskId());
      if (task == null || task.done || !job.state.equals("RUNNING")) {
        metrics.duplicate();
      } else if (r.getOutcome() instanceof TaskSuccess s) {
        taskDone(job, task, TaskOutputs.of(s), r);
      } else {
        TaskFailure f = (TaskFailure) r.getOutcome();
        Lease lease = leases.fail(r.getTaskId(), r.getAttempt());
        String cause = f.getErrorType() + ": " + f.getMessage() + " (worker " + r.getWorkerId() + ", attempt "
            + r.getAttempt() + ")";
        if (lease != null) {
          attemptLost(lease, cause, f.getRetryable());
        }
      }
    }
    m.reply(null);
  }

  private void taskDone(JobRun job, TaskRun task, TaskOutputs outputs, TaskResult r) {
    leases.complete(task.taskId);
    task.done = true;
    job.telemetry.taskEnded(task.stage, task.taskId);
    task.outputs = outputs;
    StageRun stage = job.stages.get(task.stage);
    stage.done++;
    journal.append(new JsonObject().put("type", "done").put("jobId", job.jobId).put("taskId", task.taskId)
        .put("attempt", r.getAttempt()).put("worker", r.getWorkerId()).mergeIn(task.outputs.toJson()));
    metrics.done(task.stage);
    if (stage.complete()) {
      event(job, "STAGE_DONE", stage.spec.name(), null, stage.done + " task(s)");
      planReadyStages(job);
      dispatch();
    }
    publish(new JsonObject().put("type", "job").put("jobId", job.jobId));
    publish(new JsonObject().put("type", "worker").put("workerId", r.getWorkerId()));
  }

  private void attemptLost(Lease lease, String cause, boolean retryable) {
    JobRun job = jobs.get(lease.task().jobId());
    TaskRun task = job == null ? null : job.tasks.get(lease.task().taskId());
    if (task == null || task.done || !job.state.equals("RUNNING")) {
      return;
    }
    task.lastCause = cause;
    job.telemetry.taskEnded(task.stage, task.taskId);
    journal.append(new JsonObject().put("type", "attempt-failed").put("jobId", job.jobId).put("taskId", task.taskId)
        .put("attempt", lease.attempt()).put("cause", cause));
    if (retryable && lease.attempt() < job.spec.maxAttempts()) {
      job.retries++;
      metrics.retried();
      leases.requeue(lease.task());
      event(job, "TASK_RETRIED", task.stage, task.taskId, cause);
      LOG.info("task {} attempt {} lost ({}); re-queued", task.taskId, lease.attempt(), cause);
      dispatch();
    } else {
      failJob(job, "task " + task.taskId + " failed after " + lease.attempt() + " attempt(s): " + cause);
    }
  }

  private void expireLeases() {
    synchronized (this) {
      for (Lease l : leases.expire()) {
        attemptLost(l, "lease expired: worker " + l.workerId() + " stopped renewing it", true);
      }
    }
  }

  private void onMemberLeft(String nodeId) {
    synchronized (this) {
      List<String> gone = new ArrayList<>();
      workers.forEach((id, w) -> {
        if (w.hello().getNodeId().equals(nodeId)) {
          gone.add(id);
        }
      });
      // parked requests of a dead member would swallow leases until they expire
      parked.removeIf(p -> {
        if (p.message().body().getWorker().getNodeId().equals(nodeId)) {
          cluster.vertx().cancelTimer(p.timer());
          return true;
        }
        return false;
      });
      for (String id : gone) {
        workers.remove(id);
        LOG.info("worker {} left the cluster", id);
        membership("WORKER_LEFT", "worker " + id + " left the cluster");
        for (Lease l : leases.release(id)) {
          attemptLost(l, "worker " + id + " left the cluster", true);
        }
      }
    }
  }

  private void failJob(JobRun job, String cause) {
    leases.dropJob(job.jobId);
    finish(job, "FAILED", cause);
  }

  private void finish(JobRun job, String state, String cause) {
    job.state = state;
    job.cause = cause;
    job.finishedAtMillis = clock.getAsLong();
    journal.append(new JsonObject().put("type", "finished").put("jobId", job.jobId).put("state", state)
        .put("cause", cause).put("finishedAtMillis", job.finishedAtMillis));
    event(job, "JOB_" + state, null, null, cause == null ? "" : cause);
    LOG.info("job {} {}{}", job.jobId, state, cause == null ? "" : ": " + cause);
    completions.computeIfAbsent(job.jobId, id -> new CompletableFuture<>()).complete(job.status());
    publish(new JsonObject().put("type", "job").put("jobId", job.jobId));
    forgetGangState(job.jobId);
  }

  /**
   * Drops the cluster state of the job's gang runs (in-memory commits, roster, formations, loss
   * lines): no task of an ended job runs again, and a finished run's last commit would otherwise
   * hold a model and its optimizer moments in the cluster's memory for good.
   */
  private void forgetGangState(String jobId) {
    forgetGangState(List.of(jobId));
  }

  private void forgetGangState(List<String> jobIds) {
    cluster.vertx().executeBlocking(() -> {
      GangState.forgetJobs(cluster.hazelcast(), jobIds);
      return null;
    }, false).onFailure(e -> LOG.warn("job(s) {}: their gang state stays in the cluster's memory until the cluster"
        + " restarts, dropping it failed: {}", jobIds, e.toString()));
  }

  // ---- recovery -----------------------------------------------------------------------------

  private void recover() {
    List<String> ended = new ArrayList<>();
    for (JobRun job : JournalRecovery.jobs(journal.replayed(), journal.file())) {
      jobs.put(job.jobId, job);
      CompletableFuture<JobStatus> completion = new CompletableFuture<>();
      completions.put(job.jobId, completion);
      if (job.state.equals("RUNNING")) {
        LOG.info("recovering job {} from the journal: {} task(s) already done", job.jobId, job.recoveredDone.size());
        event(job, "RECOVERED", null, null, "coordinator restarted: job recovered from the journal with "
            + job.recoveredDone.size() + " task(s) done");
        leaseAfterMillis = clock.getAsLong() + ADOPTION_GRACE_MILLIS;
        planReadyStages(job);
      } else {
        completion.complete(job.status());
        ended.add(job.jobId);
      }
    }
    if (!ended.isEmpty()) {
      // a coordinator that died between a job's end and dropping its gang state left it behind
      forgetGangState(ended);
    }
  }

  // ---- workers, metrics, events -------------------------------------------------------------

  private void seen(WorkerHello hello) {
    synchronized (this) {
      Worker known = workers.get(hello.getWorkerId());
      Worker previous = workers.put(hello.getWorkerId(),
          new Worker(hello, clock.getAsLong(), known == null ? List.of() : known.conformance()));
      if (previous == null) {
        LOG.info("worker {} on {} ({} slot(s), plugins {}, task types {})", hello.getWorkerId(), hello.getHost(),
            hello.getSlots(), hello.getPlugins().stream().map(PluginInfo::getId).toList(), hello.getTaskTypes());
        membership("WORKER_JOINED", "worker " + hello.getWorkerId() + " joined from " + hello.getHost());
      }
    }
  }

  private synchronized List<Worker> aliveWorkers() {
    long now = clock.getAsLong();
    return workers.values().stream().filter(w -> now - w.lastSeenMillis() <= options.workerTimeoutMillis()).toList();
  }

  private synchronized int queued() {
    return leases.queued();
  }

  private synchronized long runningJobs() {
    return jobs.values().stream().filter(j -> j.state.equals("RUNNING")).count();
  }

  private void event(JobRun job, String kind, String stage, String taskId, String message) {
    JobEvent e = new JobEvent(job.jobId, kind, stage, taskId, message, clock.getAsLong());
    record(job, e);
    bus.publish(Addresses.JOB_EVENT, e);
  }

  /**
   * Logs an event into the job's telemetry, the journal (so that a restarted coordinator shows the
   * job's log as it was; at most {@link JobRun#MAX_JOURNALED_EVENTS} per job) and the live feed.
   */
  private void record(JobRun job, JobEvent e) {
    JobTelemetry.Event logged = job.telemetry.event(e.getTimestampMillis(), e.getKind(), e.getStage(), e.getTaskId(),
        e.getMessage());
    if (job.journaledEvents < JobRun.MAX_JOURNALED_EVENTS) {
      job.journaledEvents++;
      journal.append(new JsonObject().put("type", "event").put("jobId", job.jobId).put("time", e.getTimestampMillis())
          .put("kind", e.getKind()).put("stage", e.getStage()).put("taskId", e.getTaskId()).put("message", e.getMessage()));
    }
    publish(logged.toJson().put("type", "event").put("jobId", job.jobId));
  }

  /** A worker joined or left: every running job logs it (a gang may re-form), and the cluster view refreshes. */
  private void membership(String kind, String message) {
    for (JobRun job : jobs.values()) {
      if (job.state.equals("RUNNING")) {
        record(job, new JobEvent(job.jobId, kind, null, null, message, clock.getAsLong()));
      }
    }
    publish(new JsonObject().put("type", "worker"));
  }

  private void onTaskNote(JobEvent e) {
    synchronized (this) {
      JobRun job = jobs.get(e.getJobId());
      if (job != null) {
        record(job, e);
      }
    }
    bus.publish(Addresses.JOB_EVENT, e);
  }

  private void onMetric(MetricEvent m) {
    metrics.worker(m);
    if (m.getJobId() == null) {
      return;
    }
    synchronized (this) {
      JobRun job = jobs.get(m.getJobId());
      if (job == null) {
        return;
      }
      String stage = m.getTags().getOrDefault("stage", JobTelemetry.stageOf(job.jobId, m.getTaskId()));
      if (stage == null) {
        return;
      }
      JsonObject point = job.telemetry.metric(stage, m.getTaskId(), m.getName(), m.getTags(), m.getValue(),
          clock.getAsLong());
      if (point != null) {
        publish(point.put("type", "metric").put("jobId", job.jobId));
      }
    }
  }

  private void onProgress(TaskProgress p) {
    synchronized (this) {
      JobRun job = jobs.get(p.getJobId());
      TaskRun task = job == null ? null : job.tasks.get(p.getTaskId());
      if (task == null || task.done) {
        return;
      }
      job.telemetry.progress(task.taskId, p.getFraction());
      long now = clock.getAsLong();
      // progress comes often; the console needs a nudge, not every message
      if (now - job.lastProgressFeedMillis >= 500) {
        job.lastProgressFeedMillis = now;
        publish(new JsonObject().put("type", "job").put("jobId", job.jobId));
      }
    }
  }

  private void publish(JsonObject message) {
    feed.publish(message);
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

  // ---- queries ------------------------------------------------------------------------------

  /** The status of one job, or null if unknown. */
  public synchronized JobStatus status(String jobId) {
    JobRun job = jobs.get(jobId);
    return job == null ? null : job.status();
  }

  /** Every job this coordinator knows (running and finished, including recovered ones). */
  public synchronized List<JobStatus> jobs() {
    return jobs.values().stream().map(JobRun::status).toList();
  }

  /** Every job as the console lists it: the status JSON, each stage with samplesPerSec and etaSeconds. */
  public synchronized JsonArray jobsJson() {
    JsonArray out = new JsonArray();
    jobs.values().forEach(job -> out.add(JobViews.withRates(job, clock.getAsLong())));
    return out;
  }

  /** One job as {@link #jobsJson()} lists it (stages with samplesPerSec and etaSeconds), or null if unknown. */
  public synchronized JsonObject jobView(String jobId) {
    JobRun job = jobs.get(jobId);
    return job == null ? null : JobViews.withRates(job, clock.getAsLong());
  }

  /**
   * One job with its events log ({@code events: [{time, level, kind, stage, taskId, message}]},
   * oldest first) and metric series ({@code series: {"<stage>/<name>": [[step, value], ...]}}), or
   * null if unknown.
   */
  public synchronized JsonObject jobJson(String jobId) {
    JobRun job = jobs.get(jobId);
    if (job == null) {
      return null;
    }
    return JobViews.withRates(job, clock.getAsLong()).put("events", job.telemetry.eventsJson()).put("series", job.telemetry.seriesJson());
  }


  /**
   * What a job's finished tasks declared and reported (outputs and result JSON), by task id
   * ({@code job/stage/name}), in plan order; null for an unknown job.
   */
  public synchronized Map<String, TaskOutputs> taskOutputs(String jobId) {
    JobRun job = jobs.get(jobId);
    if (job == null) {
      return null;
    }
    return JobViews.taskOutputs(job);
  }

  /** The artifact root the job's spec names ({@code output}), or null when workers use their own default. */
  public synchronized String outputRoot(String jobId) {
    JobRun job = jobs.get(jobId);
    return job == null ? null : job.spec.output();
  }

  /**
   * The plugins live workers advertise, one entry per (extension point, id, version):
   * {@code [{id, version, extensionPoint, pluginId, workers: [ids], conformance,
   * conformanceReports: [{workerId, status, message, millis}]}]}. {@code conformance} aggregates
   * what the workers' kits reported with their heartbeats (see {@link ConformanceVerdict}).
   */
  public synchronized JsonArray pluginsJson() {
    Map<String, JsonObject> byKey = new LinkedHashMap<>();
    for (Worker w : aliveWorkers()) {
      for (PluginInfo p : w.hello().getPlugins()) {
        String key = p.getExtensionPoint() + "|" + p.getId() + "|" + p.getVersion();
        byKey.computeIfAbsent(key, k -> new JsonObject().put("id", p.getId()).put("version", p.getVersion())
                .put("extensionPoint", p.getExtensionPoint()).put("pluginId", p.getPluginId())
                .put("workers", new JsonArray()).put("conformanceReports", new JsonArray()))
            .getJsonArray("workers").add(w.hello().getWorkerId());
        ConformanceResult report = w.conformance().stream()
            .filter(r -> r.getExtensionPoint().equals(p.getExtensionPoint()) && r.getExtensionId().equals(p.getId())
                && r.getVersion().equals(p.getVersion()))
            .findFirst().orElse(null);
        byKey.get(key).getJsonArray("conformanceReports").add(report == null
            ? new JsonObject().put("workerId", w.hello().getWorkerId()).putNull("status")
            : new JsonObject().put("workerId", w.hello().getWorkerId()).put("status", report.getStatus())
                .put("message", report.getMessage()).put("millis", report.getMillis()));
      }
    }
    for (JsonObject entry : byKey.values()) {
      List<String> statuses = new ArrayList<>();
      entry.getJsonArray("conformanceReports").forEach(r -> statuses.add(((JsonObject) r).getString("status")));
      entry.put("conformance", ConformanceVerdict.of(statuses));
    }
    return new JsonArray(new ArrayList<>(byKey.values()));
  }

  /** Completes when the job finishes. */
  public CompletableFuture<JobStatus> completion(String jobId) {
    CompletableFuture<JobStatus> f = completions.get(jobId);
    if (f == null) {
      throw new IllegalArgumentException("unknown job " + jobId);
    }
    return f;
  }

  /** Live workers as JSON (id, host, device, cores, memory, slots, plugins, task types, leases held). */
  public synchronized JsonArray workersJson() {
    JsonArray out = new JsonArray();
    Map<String, Integer> held = new HashMap<>();
    Map<String, List<String>> tasksOf = new HashMap<>();
    leases.leases().forEach(l -> {
      held.merge(l.workerId(), 1, Integer::sum);
      tasksOf.computeIfAbsent(l.workerId(), k -> new ArrayList<>()).add(l.task().taskId());
    });
    for (Worker w : aliveWorkers()) {
      WorkerHello h = w.hello();
      JsonArray plugins = new JsonArray();
      h.getPlugins().forEach(p -> plugins.add(new JsonObject().put("id", p.getId()).put("version", p.getVersion())
          .put("extensionPoint", p.getExtensionPoint()).put("pluginId", p.getPluginId())));
      out.add(new JsonObject().put("workerId", h.getWorkerId()).put("host", h.getHost()).put("device", h.getDevice())
          .put("cores", h.getCores()).put("memoryBytes", h.getMemoryBytes()).put("slots", h.getSlots())
          .put("plugins", plugins).put("taskTypes", new JsonArray(new ArrayList<>(h.getTaskTypes())))
          .put("leases", held.getOrDefault(h.getWorkerId(), 0)).put("lastSeenMillis", w.lastSeenMillis())
          .put("currentTask", tasksOf.containsKey(h.getWorkerId()) ? String.join(", ", tasksOf.get(h.getWorkerId())) : null)
          .put("lastHeartbeat", w.lastSeenMillis()));
    }
    return out;
  }

  /** Number of workers heard from recently. */
  public int aliveWorkerCount() {
    return aliveWorkers().size();
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
    cluster.vertx().cancelTimer(expiryTimer);
    for (MessageConsumer<?> c : consumers) {
      c.unregister();
    }
    synchronized (this) {
      parked.forEach(p -> cluster.vertx().cancelTimer(p.timer()));
      parked.clear();
    }
    journal.close();
  }
}
