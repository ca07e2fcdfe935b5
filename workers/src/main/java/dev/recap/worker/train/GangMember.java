package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.hazelcast.core.HazelcastInstance;
import dev.recap.bus.exchange.CommitHead;
import dev.recap.worker.exchange.ExchangeOptions;
import dev.recap.worker.exchange.Gang;
import dev.recap.worker.exchange.GangBrokenException;
import dev.recap.worker.exchange.GangFormations;
import dev.recap.worker.exchange.GangFormations.Formation;
import dev.recap.worker.exchange.HazelcastCollective;
import dev.recap.worker.exchange.ParameterChecksum;
import dev.recap.worker.exchange.StepCommits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One worker's part in an elastic data-parallel CLIP run: it joins the run's roster, trains in
 * whatever gang formation it is admitted to, one step range at a time, and returns when the run
 * has reached its last step.
 *
 * <p>Per formation: join the gang's {@link HazelcastCollective}; load the last committed state
 * (parameters, AdamW moments, step) from {@link StepCommits}, else (none, or lost with the members
 * that held it: the whole gang died) the newest valid {@link Checkpoint} on disk, else keep the
 * seeded initialization (every replica initializes identically and the first commit checks
 * that); train the steps up to the range end, each rank on its slice of the fixed global batch;
 * commit; rank 0 writes a checkpoint every {@code checkpointEvery} steps.
 *
 * <p>Failure: a member that dies mid-step makes the exchange throw {@link GangBrokenException}
 * on every survivor; the step is abandoned (nobody applied it: the update follows the
 * all-reduce), and the leader forms the next gang from the live roster, which resumes from the
 * last commit. Work after that commit is redone, so {@link Observer#committed} reports a rank's
 * sample keys only once their steps are committed: per-epoch accounting sees each sample once.
 */
public final class GangMember {

  /** Settings of one run, the same on every member. */
  public record Settings(String runId, long totalSteps, int stepsPerRange, int minWorkers, int maxWorkers,
      int checksumEvery, int checkpointEvery, Path checkpointDir, ExchangeOptions exchange) {
    /** Validates, naming the bad setting. */
    public Settings {
      if (totalSteps < 1 || stepsPerRange < 1 || minWorkers < 1 || maxWorkers < minWorkers || checkpointEvery < 1) {
        throw new IllegalArgumentException("need totalSteps, stepsPerRange, minWorkers, checkpointEvery >= 1 and"
            + " maxWorkers >= minWorkers, got totalSteps=" + totalSteps + ", stepsPerRange=" + stepsPerRange
            + ", minWorkers=" + minWorkers + ", maxWorkers=" + maxWorkers + ", checkpointEvery=" + checkpointEvery);
      }
    }
  }

  /** What a member reports; every method is optional. */
  public interface Observer {
    /** This member trains in {@code gang} from {@code startStep}. */
    default void formed(Gang gang, long startStep) {}

    /** A step finished (applied or skipped by all). */
    default void stepped(StepResult result, int rank, int worldSize, List<String> keys) {}

    /** Steps up to {@code step} (exclusive) are committed; {@code keys} are this rank's since the last commit. */
    default void committed(long step, int rank, List<String> keys) {}

    /**
     * The run goes on from {@code step}, the newest checkpoint on disk (0 if none), because the
     * committed state in the cluster is gone (the whole gang died): steps from {@code step} on
     * that were committed before will be trained again. Called on the leader, before the gang
     * that trains them is formed.
     */
    default void resumedFromDisk(long step) {}

    /** A note for the job's event stream. */
    default void event(String message) {}

    /** Whether to stop early (lease lost). */
    default boolean cancelled() {
      return false;
    }
  }

  private static final int CHUNK_FLOATS = 1 << 18;

  private final HazelcastInstance hz;
  private final Settings settings;
  private final ClipModel model;
  private final NDManager manager;
  private final TrainingOptions options;
  private final GlobalBatches data;
  private final Observer observer;
  private final GangFormations formations;
  private final StepCommits commits;
  private volatile int finalRank = -1;

  /**
   * @param model an initialized model, seeded identically on every member of the run
   */
  public GangMember(HazelcastInstance hz, Settings settings, ClipModel model, NDManager manager,
      TrainingOptions options, GlobalBatches data, Observer observer) {
    this.hz = hz;
    this.settings = settings;
    this.model = model;
    this.manager = manager;
    this.options = options;
    this.data = data;
    this.observer = observer;
    this.formations = new GangFormations(hz, settings.runId());
    this.commits = new StepCommits(hz, settings.runId());
  }

  /**
   * This member's rank in the gang that committed the run's last step, or -1 if it was not in
   * that gang (its model then does not hold the final parameters). Valid after {@link #run()}.
   */
  public int finalRank() {
    return finalRank;
  }

  /**
   * Trains until the run is done. Returns the last committed step (= totalSteps), or -1 if the
   * run finished without this member being needed.
   *
   * @throws NonFiniteTrainingException too many non-finite steps in a row
   * @throws dev.recap.worker.exchange.ReplicaDivergenceException replicas' parameters differ
   */
  public long run() throws InterruptedException, IOException {
    UUID self = formations.self();
    formations.join();
    long seen = formations.current().map(Formation::seq).orElse(-1L);
    boolean trained = false;
    try {
      while (true) {
        if (observer.cancelled()) {
          throw new InterruptedException("run " + settings.runId() + ": the task was cancelled");
        }
        self = formations.rejoinIfMissing(); // a member may come back from a split with a new UUID
        Optional<Formation> current = formations.current();
        if (current.isPresent() && current.get().startStep() >= settings.totalSteps()) {
          return trained ? current.get().startStep() : -1;
        }
        if (current.isPresent() && current.get().seq() > seen) {
          Formation f = current.get();
          if (f.members().contains(self)) {
            seen = f.seq();
            trained = true;
            try {
              train(f, self);
            } catch (GangBrokenException e) {
              observer.event("gang " + e.gangId() + " broke during " + e.tag() + " (" + e.reason()
                  + "); abandoning the step and re-forming from the last commit");
            }
            continue;
          }
          if (!formations.intact(f)) {
            seen = f.seq(); // a broken formation without us: time to form the next
          }
        }
        List<UUID> live = formations.liveRoster();
        boolean leader = !live.isEmpty() && live.get(0).equals(self);
        boolean stale = current.isEmpty() || current.get().seq() <= seen || !formations.intact(current.get());
        // the first formation waits for minWorkers; later ones take whoever is alive
        boolean enough = current.isPresent() || live.size() >= settings.minWorkers();
        if (leader && stale && enough) {
          long start = resumePoint();
          formations.formNext(current, start, settings.maxWorkers())
              .ifPresent(f -> observer.event("formed gang " + settings.runId() + "/f" + f.seq() + " of "
                  + f.members().size() + " worker(s) from step " + f.startStep()));
          continue;
        }
        Thread.sleep(20);
      }
    } finally {
      formations.leave();
    }
  }

  /**
   * Where the next formation starts: the last commit if all of its state is still in the
   * cluster; else (every member holding part of it died) the newest valid checkpoint on disk, or
   * the seeded start.
   */
  private long resumePoint() throws IOException {
    Optional<CommitHead> head = commits.head();
    if (head.isPresent() && commits.complete(head.get())) {
      return head.get().step();
    }
    if (head.isPresent()) {
      observer.event("run " + settings.runId() + ": the committed state of step " + head.get().step()
          + " was lost with the members that held it; resuming from the last checkpoint on disk");
      commits.abandon(head.get());
    }
    long step = latestCheckpoint().map(Checkpoint::step).orElse(0L);
    observer.resumedFromDisk(step);
    return step;
  }

  private Optional<Checkpoint> latestCheckpoint() throws IOException {
    return settings.checkpointDir() == null ? Optional.empty()
        : Checkpoint.latestValid(settings.checkpointDir(), observer::event);
  }

  private void train(Formation f, UUID self) throws IOException {
    Gang gang = f.gangFor(settings.runId(), self);
    try (HazelcastCollective collective = HazelcastCollective.join(hz, gang, settings.exchange())) {
      ClipTrainer trainer = new ClipTrainer(model, manager, options, collective);
      restore(trainer);
      if (trainer.step() != f.startStep()) {
        throw new IllegalStateException("gang " + gang.id() + " was formed to start at step " + f.startStep()
            + " but the last committed state is at step " + trainer.step());
      }
      if (trainer.step() == 0 && commits.head().isEmpty()) {
        commit(trainer, collective); // the seeded start, checked equal on all ranks
      }
      observer.formed(gang, trainer.step());
      long end = Math.min(settings.totalSteps(),
          (trainer.step() / settings.stepsPerRange() + 1) * settings.stepsPerRange());
      List<String> pending = new ArrayList<>();
      while (trainer.step() < end) {
        long s = trainer.step();
        ClipBatch batch = data.slice(s, gang.rank(), gang.worldSize());
        StepResult r = trainer.step(batch);
        pending.addAll(batch.keys());
        observer.stepped(r, gang.rank(), gang.worldSize(), batch.keys());
        if (r.skipped()) {
          observer.event("step " + s + " skipped by every rank: a non-finite loss or gradient; rank " + gang.rank()
              + "'s samples: " + batch.keys());
        }
        if (settings.checksumEvery() > 0 && (s + 1) % settings.checksumEvery() == 0) {
          ParameterChecksum.verifyAcross(collective, "checksum/step-" + (s + 1), flatParameterChecksum());
        }
      }
      commit(trainer, collective);
      observer.committed(trainer.step(), gang.rank(), pending);
      if (trainer.step() == settings.totalSteps()) {
        finalRank = gang.rank();
      }
      if (gang.rank() == 0 && settings.checkpointDir() != null
          && (trainer.step() % settings.checkpointEvery() == 0 || trainer.step() == settings.totalSteps())) {
        Checkpoint.save(settings.checkpointDir(), trainer, new Checkpoint.DataPosition(trainer.step(), new byte[0]));
      }
    }
  }

  private long flatParameterChecksum() {
    ParameterChecksum c = new ParameterChecksum();
    for (Parameter p : model.parameterList()) {
      c.add(p.getArray().toFloatArray());
    }
    return c.value();
  }

  private void commit(ClipTrainer trainer, HazelcastCollective collective) throws IOException {
    commits.commit(collective, trainer.step(), packState(trainer), CHUNK_FLOATS);
  }

  private void restore(ClipTrainer trainer) throws IOException {
    Optional<CommitHead> head = commits.head();
    if (head.isPresent()) {
      unpackState(trainer, commits.load(head.get()));
      trainer.restoreStep(head.get().step());
      return;
    }
    Optional<Checkpoint> latest = latestCheckpoint();
    if (latest.isPresent()) {
      latest.get().restore(trainer, manager);
    }
  }

  // State = parameters in order, then AdamW's state as written by writeState, carried bit for bit
  // as 16-bit pieces (exact as floats) so no NaN canonicalization can touch it.
  private float[] packState(ClipTrainer trainer) throws IOException {
    List<float[]> params = new ArrayList<>();
    int n = 0;
    for (Parameter p : model.parameterList()) {
      float[] v = p.getArray().toFloatArray();
      params.add(v);
      n += v.length;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      trainer.optimizer().writeState(out);
    }
    byte[] opt = bytes.toByteArray();
    float[] state = new float[n + 2 + opt.length / 2 + 1];
    int o = 0;
    for (float[] v : params) {
      System.arraycopy(v, 0, state, o, v.length);
      o += v.length;
    }
    state[o++] = opt.length >>> 16;
    state[o++] = opt.length & 0xffff;
    for (int i = 0; i < opt.length; i += 2) {
      int hi = opt[i] & 0xff;
      int lo = i + 1 < opt.length ? opt[i + 1] & 0xff : 0;
      state[o++] = (hi << 8) | lo;
    }
    return state;
  }

  private void unpackState(ClipTrainer trainer, float[] state) throws IOException {
    int o = 0;
    for (Parameter p : model.parameterList()) {
      int len = (int) p.getArray().size();
      float[] v = new float[len];
      System.arraycopy(state, o, v, 0, len);
      Autograd.withGradMode(false, () -> {
        p.getArray().set(v);
        return null;
      });
      o += len;
    }
    int optLength = ((int) state[o] << 16) | (int) state[o + 1];
    o += 2;
    byte[] opt = new byte[optLength];
    for (int i = 0; i < optLength; i += 2) {
      int piece = (int) state[o++];
      opt[i] = (byte) (piece >>> 8);
      if (i + 1 < optLength) {
        opt[i + 1] = (byte) piece;
      }
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(opt))) {
      trainer.optimizer().readState(in, "commit of run " + settings.runId());
    }
  }
}
