package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.bus.OutputKind;
import dev.recap.bus.exchange.GangState;
import dev.recap.bus.task.PretrainGangTask;
import dev.recap.worker.caption.SidecarReader;
import dev.recap.worker.data.CaptionOverrides;
import dev.recap.worker.data.PairRows;
import dev.recap.worker.data.ShardIndex;
import dev.recap.worker.exchange.ExchangeOptions;
import dev.recap.worker.exchange.Gang;
import dev.recap.worker.exchange.ReplicaDivergenceException;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The worker side of the {@code pretrain-gang} stage: holds one member slot of a run and trains
 * in its gangs through {@link GangMember} on the run's WebDataset shards ({@link ShardPairs})
 * until the run is done. The model, tokenizer and optimization come from the run's
 * {@link ClipRunSpec} through {@link ClipRunFactory}, as in the single-worker {@code pretrain}
 * task, with the spec's {@code batchSize} as the global batch over all workers.
 *
 * <p>Every slot appends the sample keys its gangs committed to {@code samples.txt} (at each
 * commit, so a worker killed later keeps them, and a slot that is leased again appends to the
 * same file) and writes {@code member-loss.csv} (the steps it trained, rolled-back ones too);
 * both are declared as {@code log}s. The slot that was rank 0 of the gang committing the last
 * step writes what a {@code pretrain} task writes, so an {@code evaluate} stage can use it: the
 * {@code trained-run} directory {@code model/} ({@link TrainedRun}), {@code loss.csv} (every
 * committed step of the run, from all gangs) and {@code result.json} (protocol {@code pretrain},
 * with {@code wallSeconds} since the run's first slot started). Checkpoints go to
 * {@code <artifact root>/<jobId>/<stage>-checkpoints}, shared by all members of the run, with the
 * run's {@link RunRecords} (committed loss lines, the slots' sample files), so that a run whose
 * whole gang died resumes from disk with its loss curve and sample accounting intact.
 */
public final class PretrainGangHandler implements TaskHandler<PretrainGangTask> {

  /** The task type the coordinator's {@code pretrain-gang} planner emits. */
  public static final String TYPE = "pretrain-gang-member";

  /** The start of every run (key {@code <run>/start}), for its {@code wallSeconds}. */
  static final String LOSS_MAP = GangState.LOSS_MAP;

  private static final String LOSS_HEADER = "step,loss,logit_scale,lr,world_size";

  /** The committed sample keys of a slot, appended at every commit. */
  private static final String SAMPLES_FILE = "samples.txt";

  /** {@code <cluster member uuid>/<run>} of the slots training here: a member is on a run's roster once. */
  private static final Set<String> TRAINING = ConcurrentHashMap.newKeySet();

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<PretrainGangTask> payloadType() {
    return PretrainGangTask.class;
  }

  @Override
  public void execute(TaskContext<PretrainGangTask> context) throws Exception {
    PretrainGangTask t = context.payload();
    // The roster knows a worker by its cluster member; two slots of one run on one worker (a
    // worker with several task slots, or a slot leased again by a restarted coordinator while
    // the old lease still runs here) would be one member twice. The second waits as a standby.
    String identity = context.hazelcast().getCluster().getLocalMember().getUuid() + "/" + t.getRunId();
    boolean told = false;
    while (!TRAINING.add(identity)) {
      if (context.isCancelled()) {
        throw new InterruptedException("slot " + t.getSlot() + " of run " + t.getRunId() + " cancelled while waiting");
      }
      if (!told) {
        context.event("slot " + t.getSlot() + " waits: worker " + context.workerId() + " already trains run "
            + t.getRunId() + " in another slot");
        told = true;
      }
      Thread.sleep(200);
    }
    try {
      train(context, t);
    } finally {
      TRAINING.remove(identity);
    }
  }

  private void train(TaskContext<PretrainGangTask> context, PretrainGangTask t) throws Exception {
    ClipRunSpec spec = CheckpointFiles.forRun(ClipRunSpec.fromJson(t.getSpec()));
    if (!spec.objective().equals("clip")) {
      throw new PermanentTaskFailure("run " + t.getRunId() + ": gang training runs objective clip, got " + spec.objective());
    }
    ClipRunFactory factory = new ClipRunFactory(spec, context.extensions());
    HazelcastInstance hz = context.hazelcast();
    IMap<String, String> lossMap = hz.getMap(LOSS_MAP);
    lossMap.putIfAbsent(t.getRunId() + "/start", Long.toString(hz.getCluster().getClusterTime()));
    Path dir = context.artifacts().directory();
    Files.createDirectories(dir);
    Path samplesFile = dir.resolve(SAMPLES_FILE);
    Map<String, String> curated = curatedCaptions(t);
    List<Path> shards = t.getShards().stream().map(Path::of).toList();
    try (ShardIndex index = ShardIndex.open(shards); NDManager manager = NDManager.newBaseManager(context.device())) {
      List<String> corpus = new ArrayList<>();
      for (int i = 0; i < index.size(); i++) {
        String c = index.originalCaption(i);
        if (c != null) {
          corpus.add(c);
        }
      }
      corpus.addAll(curated.values());
      TextTokenizer tokenizer = factory.tokenizer(corpus);
      // the run's seed (or its checkpoint): every member must start from identical parameters
      ClipModel model = factory.startingClipModel(manager, tokenizer, t.getSeed());
      PairRows rows = new PairRows(index, spec.imageSize(), spec.augment(), CaptionOverrides.of(curated),
          curated.isEmpty() ? 0 : spec.curatedProbability(), t.getSeed());
      ShardPairs data = new ShardPairs(index, rows, tokenizer, spec.batchSize(), t.getSeed(), context::event);
      long totalSteps = data.totalSteps(spec.epochs(), spec.maxSteps());
      TrainingOptions base = factory.trainingOptions(totalSteps);
      TrainingOptions options = new TrainingOptions(base.schedule(), base.adamW(), base.clipNorm(), t.getMaxConsecutiveSkips(),
          Precision.forDevice(manager.getDevice()));
      Path checkpoints = dir.getParent().resolve(context.stage() + "-checkpoints");
      GangMember.Settings settings = new GangMember.Settings(t.getRunId(), totalSteps, t.getStepsPerRange(),
          t.getMinWorkers(), t.getMaxWorkers(), t.getChecksumEvery(), t.getCheckpointEvery(), checkpoints,
          ExchangeOptions.builder().operationTimeout(Duration.ofSeconds(t.getOperationTimeoutSeconds())).build());
      RunRecords records = new RunRecords(checkpoints);
      SlotObserver observer = new SlotObserver(context, t.getRunId(), totalSteps, samplesFile, records, data::stepOf);
      GangMember member = new GangMember(hz, settings, model, manager, options, data, observer);
      if (!Files.exists(samplesFile)) {
        Files.writeString(samplesFile, "", StandardCharsets.UTF_8);
      }
      records.register(samplesFile);
      long last;
      try {
        last = member.run();
      } catch (NonFiniteTrainingException | ReplicaDivergenceException e) {
        // retrying from the same commit would meet the same data or the same divergence
        throw new PermanentTaskFailure("run " + t.getRunId() + " stopped: " + e.getMessage(), e);
      }
      context.artifacts().write("member-loss.csv", OutputKind.LOG, observer.memberLoss.toString().getBytes(StandardCharsets.UTF_8));
      context.artifacts().declareInPlace(SAMPLES_FILE, OutputKind.LOG);
      if (member.finalRank() == 0) {
        writeRunOutputs(context, t, spec, model, tokenizer, lossMap, records, totalSteps, index.size());
      }
      context.progress(1.0, last < 0 ? "run finished without this worker" : "run finished at step " + last);
    }
  }

  /**
   * What one slot records of its member: metrics and progress per step, its steps' loss lines,
   * and at each commit the committed sample keys (appended to {@code samples.txt}) and, as rank
   * 0, the committed steps' loss lines (appended to the run's {@link RunRecords}). When the run
   * resumes from disk, the keys of the steps it trains again leave every slot's {@code samples.txt}.
   */
  private static final class SlotObserver implements GangMember.Observer {
    private final TaskContext<PretrainGangTask> context;
    private final String runId;
    private final long totalSteps;
    private final Path samplesFile;
    private final RunRecords records;
    private final ToLongFunction<String> stepOfKey;
    final StringBuilder memberLoss = new StringBuilder(LOSS_HEADER + "\n");
    private final Map<Long, String> uncommitted = new LinkedHashMap<>();

    SlotObserver(TaskContext<PretrainGangTask> context, String runId, long totalSteps, Path samplesFile,
        RunRecords records, ToLongFunction<String> stepOfKey) {
      this.context = context;
      this.runId = runId;
      this.totalSteps = totalSteps;
      this.samplesFile = samplesFile;
      this.records = records;
      this.stepOfKey = stepOfKey;
    }

    @Override
    public void formed(Gang gang, long startStep) {
      uncommitted.clear(); // steps after the last commit were abandoned with the previous gang
    }

    @Override
    public void stepped(StepResult r, int rank, int worldSize, List<String> keys) {
      Map<String, String> tags = Map.of("step", Long.toString(r.step()));
      context.metric("loss", r.loss(), tags);
      context.metric("world_size", worldSize, tags);
      String line = r.step() + "," + r.loss() + "," + r.logitScale() + "," + r.learningRate() + "," + worldSize;
      memberLoss.append(line).append('\n');
      uncommitted.put(r.step(), line);
      context.progress((double) (r.step() + 1) / totalSteps, "step " + r.step() + " in a gang of " + worldSize);
    }

    @Override
    public void committed(long step, int rank, List<String> keys) {
      StringBuilder lines = new StringBuilder();
      keys.forEach(k -> lines.append(k).append('\n'));
      try {
        // one append per commit: the keys survive a later kill of this worker
        Files.writeString(samplesFile, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (rank == 0) {
          records.appendLoss(uncommitted.values());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot record the commit of step " + step + " of run " + runId, e);
      }
      uncommitted.clear();
    }

    @Override
    public void resumedFromDisk(long step) {
      try {
        int dropped = records.dropSamplesFrom(step, stepOfKey);
        if (dropped > 0) {
          context.event("run " + runId + " resumes from its checkpoint of step " + step + ": " + dropped
              + " committed sample keys of later steps leave the slots' samples.txt (those steps are trained again)");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot roll the slots' samples.txt of run " + runId + " back to step " + step, e);
      }
    }

    @Override
    public void event(String message) {
      context.event(message);
    }

    @Override
    public boolean cancelled() {
      return context.isCancelled();
    }
  }

  private static Map<String, String> curatedCaptions(PretrainGangTask t) throws IOException, PermanentTaskFailure {
    Map<String, String> curated = new LinkedHashMap<>();
    for (String sidecar : t.getSidecars()) {
      for (CaptionSidecarRecord r : SidecarReader.readAll(Path.of(sidecar))) {
        curated.put(r.getKey(), r.getCaption());
      }
    }
    if (!t.getCaptions().isEmpty() && curated.isEmpty()) {
      throw new PermanentTaskFailure("run '" + t.getRun() + "': no curated captions of source '" + t.getCaptions()
          + "' in " + t.getSidecars() + "; did the curate stage run that captioner?");
    }
    return curated;
  }

  /** The outputs of a {@code pretrain} task, for the whole run; written by one slot. */
  private static void writeRunOutputs(TaskContext<PretrainGangTask> context, PretrainGangTask t, ClipRunSpec spec,
      ClipModel model, TextTokenizer tokenizer, IMap<String, String> lossMap, RunRecords records, long totalSteps,
      int samples) throws IOException {
    Block block = model.imageTower().block();
    String encoder = PretrainHandler.encoderName(spec);
    String captions = t.getCaptions().isEmpty() ? "alt" : t.getCaptions();
    long parameters = ClipRunFactory.parameterCount(block);
    JsonObject description = new JsonObject().put("run", t.getRun()).put("encoder", encoder).put("captions", captions)
        .put("objective", spec.objective()).put("seed", t.getSeed()).put("parameters", parameters);
    TrainedRun.write(context.artifacts(), spec, block, model, tokenizer, spec.hasInit() ? description.put("init", spec.init())
        : description);
    StringBuilder csv = new StringBuilder(LOSS_HEADER + "\n");
    double recent = 0;
    int counted = 0;
    Map<Long, String> committedLoss = records.lossByStep();
    for (long s = 0; s < totalSteps; s++) {
      String line = committedLoss.get(s);
      if (line == null) {
        continue; // committed by a gang whose rank 0 died before recording it: the slot's member-loss.csv has it
      }
      csv.append(line).append('\n');
      if (s >= totalSteps - 10) {
        recent += Double.parseDouble(line.split(",")[1]);
        counted++;
      }
    }
    context.artifacts().write("loss.csv", OutputKind.LOSS_CURVE, csv.toString().getBytes(StandardCharsets.UTF_8));
    long startedMillis = Long.parseLong(lossMap.getOrDefault(t.getRunId() + "/start", "0"));
    double wallSeconds = Math.max(0, context.hazelcast().getCluster().getClusterTime() - startedMillis) / 1e3;
    JsonObject metrics = new JsonObject().put("seconds", wallSeconds).put("steps", totalSteps).put("samples", samples);
    if (counted > 0) {
      metrics.put("finalLoss", recent / counted);
    }
    JsonObject result = new JsonObject().put("run", t.getRun()).put("encoder", encoder).put("captions", captions)
        .put("objective", spec.objective()).put("seed", t.getSeed()).put("protocol", "pretrain").put("task", "pretrain")
        .put("parameters", parameters).put("wallSeconds", wallSeconds)
        .put("maxWorkers", t.getMaxWorkers()).put("augment", spec.augment().describe())
        .put("precision", Precision.forDevice(context.device()).label()).put("metrics", metrics);
    if (spec.hasInit()) {
      result.put("init", spec.init());
    }
    context.artifacts().writeResult(result.encodePrettily());
  }

}
