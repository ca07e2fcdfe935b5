package dev.recap.worker.exchange;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.recap.bus.exchange.CommitHead;
import dev.recap.bus.exchange.GangState;
import dev.recap.bus.exchange.StateChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The last state a run's gang committed, kept in Hazelcast with one backup so that it survives
 * the loss of any one member: a re-formed gang (or a newly admitted worker) loads it and goes
 * on from there. Periodic checkpoints on disk are the trainer's business; this is the fast,
 * in-memory one, and it is lost when a chunk's member and its backup die together (e.g. the whole
 * gang): {@link #complete} tells.
 *
 * <p>A commit is collective: every rank calls {@link #commit} with its (identical) state; each
 * rank stores a 1/N share of the chunks, the ranks check that their parameter checksums agree,
 * and only then rank 0 moves the run's head to the new step and drops the previous commit's
 * chunks. A gang that breaks mid-commit leaves the previous head in place.
 */
public final class StepCommits {

  private final String runId;
  private final IMap<String, Object> map;

  /** The commits of run {@code runId}, in map {@code mapName} (configured with one backup). */
  public StepCommits(HazelcastInstance hz, String runId, String mapName) {
    this.runId = runId;
    try {
      hz.getConfig().addMapConfig(new MapConfig(mapName).setBackupCount(1));
    } catch (InvalidConfigurationException e) {
      throw new IllegalStateException("the cluster already configures map '" + mapName
          + "' differently (commits need one backup): choose another map name", e);
    }
    this.map = hz.getMap(mapName);
  }

  /** The commits of {@code runId} in the default map {@code recap.exchange.commits}. */
  public StepCommits(HazelcastInstance hz, String runId) {
    this(hz, runId, GangState.COMMITS_MAP);
  }

  /**
   * Commits {@code state} as of {@code step}: every rank of {@code collective} calls this with
   * the same step. Returns the new head on every rank.
   *
   * @throws ReplicaDivergenceException if the ranks' states differ (nothing is committed)
   * @throws GangBrokenException if the gang breaks before the head moved
   */
  public CommitHead commit(HazelcastCollective collective, long step, float[] state,
      int chunkFloats) {
    Gang gang = collective.gang();
    CommitHead head = new CommitHead(step, gang.id(), state.length, chunkFloats,
        ParameterChecksum.of(state));
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int k = gang.rank(); k < head.chunks(); k += gang.worldSize()) {
      int from = k * chunkFloats;
      float[] chunk = Arrays.copyOfRange(state, from, Math.min(state.length, from + chunkFloats));
      writes.add(map.setAsync(chunkKey(step, k), new StateChunk(chunk)).toCompletableFuture());
    }
    String tag = "commit/step-" + step;
    join(writes, gang, tag);
    long[] checksums = collective.allGatherLongs(tag, head.checksum());
    Map<Long, List<Integer>> byChecksum = new LinkedHashMap<>();
    for (int r = 0; r < checksums.length; r++) {
      byChecksum.computeIfAbsent(checksums[r], c -> new ArrayList<>()).add(r);
    }
    if (byChecksum.size() > 1) {
      throw new ReplicaDivergenceException(tag, byChecksum);
    }
    long refusedBy = -1;
    if (gang.rank() == 0) {
      CommitHead previous = advance(head);
      if (previous != null && previous.step() >= step) {
        refusedBy = previous.step();
      } else if (previous != null) {
        for (int k = 0; k < previous.chunks(); k++) {
          map.removeAsync(chunkKey(previous.step(), k));
        }
      }
    }
    // Rank 0 tells everyone whether the head moved, so no rank returns before it did.
    long refused = collective.allGatherLongs(tag + "/head", refusedBy)[0];
    if (refused >= 0) {
      throw new IllegalStateException("run " + runId + " already committed step " + refused
          + "; a commit of step " + step + " would move it backwards (is a stale gang still"
          + " running?)");
    }
    return head;
  }

  /** The last commit of the run, if any. */
  public Optional<CommitHead> head() {
    return Optional.ofNullable((CommitHead) map.get(headKey()));
  }

  /**
   * Whether every chunk of {@code head} is still in the cluster. It is not when the members that
   * held a chunk and its backup all died (e.g. the whole gang); the state must then come from disk.
   */
  public boolean complete(CommitHead head) {
    for (int k = 0; k < head.chunks(); k++) {
      if (!map.containsKey(chunkKey(head.step(), k))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes {@code head} if it is still the run's head (its state is lost): the next commit may
   * then be of an earlier step, the one the run resumes from on disk.
   */
  public void abandon(CommitHead head) {
    map.remove(headKey(), head);
  }

  /**
   * The state of {@code head}, checked against its checksum.
   *
   * @throws IllegalStateException naming the run, step and chunk if the state is incomplete or
   *     damaged
   */
  public float[] load(CommitHead head) {
    float[] state = new float[head.length()];
    for (int k = 0; k < head.chunks(); k++) {
      Object chunk = map.get(chunkKey(head.step(), k));
      if (!(chunk instanceof StateChunk c)) {
        throw new IllegalStateException("run " + runId + ": chunk " + k + " of committed "
            + head + " is missing; fall back to the last checkpoint on disk");
      }
      System.arraycopy(c.values(), 0, state, k * head.chunkFloats(), c.values().length);
    }
    if (ParameterChecksum.of(state) != head.checksum()) {
      throw new IllegalStateException("run " + runId + ": committed " + head
          + " does not match its checksum; fall back to the last checkpoint on disk");
    }
    return state;
  }

  private void join(List<CompletableFuture<Void>> writes, Gang gang, String tag) {
    try {
      CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get();
    } catch (ExecutionException e) {
      throw new GangBrokenException(gang.id(), tag, new int[0],
          "storing the committed state failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GangBrokenException(gang.id(), tag, new int[0], "interrupted", e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private CommitHead advance(CommitHead head) {
    // The processor is typed by its entry value; this map holds heads and chunks.
    return (CommitHead) map.executeOnKey(headKey(), (EntryProcessor) new CommitHead.Advance(head));
  }

  private String headKey() {
    return runId + "/head";
  }

  private String chunkKey(long step, int chunk) {
    return runId + "/step-" + step + "/" + chunk;
  }
}
