package dev.recap.bus.exchange;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.query.Predicates;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where a gang training run keeps its state in the cluster, and how it is dropped.
 *
 * <p>A run's id is {@code <job id>/<stage name>}; every key of its state starts with it: the
 * in-memory commits (parameters and optimizer moments, megabytes to gigabytes), the roster, the
 * formations and the committed loss lines. Nothing needs them once the run's job has ended, and
 * a long-lived cluster would otherwise keep every finished run's last commit in memory: the
 * coordinator calls {@link #forgetJob} when a job ends.
 */
public final class GangState {

  /** In-memory commits: {@code <run>/head} and {@code <run>/step-<n>/<chunk>}. */
  public static final String COMMITS_MAP = "recap.exchange.commits";
  /** The roster: {@code <run>/<member uuid>}. */
  public static final String ROSTER_MAP = "recap.gang.roster";
  /** The formations: key {@code <run>}. */
  public static final String FORMATIONS_MAP = "recap.gang.formations";
  /** Each run's start time, key {@code <run>/start} (committed loss lines live beside the run's checkpoints). */
  public static final String LOSS_MAP = "recap.gang.loss";

  private static final List<String> MAPS = List.of(COMMITS_MAP, ROSTER_MAP, FORMATIONS_MAP, LOSS_MAP);

  private GangState() {}

  /**
   * Removes the state of every gang run of job {@code jobId} (keys {@code <jobId>/...}) from the
   * cluster. Values are not read, so the calling member needs none of the workers' classes.
   */
  public static void forgetJob(HazelcastInstance hz, String jobId) {
    forgetJobs(hz, List.of(jobId));
  }

  /** As {@link #forgetJob} for several jobs, one pass over each map per 100 jobs. */
  public static void forgetJobs(HazelcastInstance hz, Collection<String> jobIds) {
    List<String> ids = List.copyOf(jobIds);
    for (int from = 0; from < ids.size(); from += 100) {
      String keys = ids.subList(from, Math.min(ids.size(), from + 100)).stream()
          .map(id -> Pattern.quote(id + "/")).collect(Collectors.joining("|", "(?:", ").*"));
      for (String map : MAPS) {
        hz.getMap(map).removeAll(Predicates.regex("__key", keys));
      }
    }
  }
}
