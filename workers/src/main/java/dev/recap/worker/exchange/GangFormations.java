package dev.recap.worker.exchange;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.recap.bus.exchange.GangState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The roster of a training run (every worker that holds one of the run's gang tasks) and the
 * sequence of gang formations drawn from it, kept in Hazelcast.
 *
 * <p>Every value is a plain string, so no member (e.g. the coordinator's JVM, which lacks the
 * workers' classes) ever has to deserialize a Recap type, and the formation moves only by
 * compare-and-set: two members that both believe they lead cannot both write the next
 * formation.
 *
 * <p>Who writes: the <em>leader</em>, the live roster member that joined first. It writes
 * formation {@code seq + 1} when the current one finished its step range or lost a member; the
 * new formation takes the live roster in join order (at most {@code maxWorkers}), so a worker that
 * joined during a range is admitted at the next range boundary. The first formation of a run is
 * numbered by the cluster time, later ones count up from it, so no two gangs of a run share an id.
 */
public final class GangFormations {

  /** One formation: its sequence number, the step it starts from, its members in rank order. */
  public record Formation(long seq, long startStep, List<UUID> members) {

    /** Parses {@link #encode()}'s form. */
    static Formation decode(String s) {
      String[] parts = s.split(";", -1);
      List<UUID> members = new ArrayList<>();
      for (String m : parts[2].split(",")) {
        if (!m.isEmpty()) {
          members.add(UUID.fromString(m));
        }
      }
      return new Formation(Long.parseLong(parts[0]), Long.parseLong(parts[1]), List.copyOf(members));
    }

    String encode() {
      StringBuilder b = new StringBuilder().append(seq).append(';').append(startStep).append(';');
      for (int i = 0; i < members.size(); i++) {
        b.append(i == 0 ? "" : ",").append(members.get(i));
      }
      return b.toString();
    }

    /** The gang this formation makes for {@code self}, with a gang id unique to the formation. */
    public Gang gangFor(String runId, UUID self) {
      return Gang.of(runId + "/f" + seq, members, self);
    }
  }

  private final HazelcastInstance hz;
  private final String runId;
  private final IMap<String, String> roster;
  private final IMap<String, String> formations;

  /** The roster and formations of {@code runId}. */
  public GangFormations(HazelcastInstance hz, String runId) {
    this.hz = hz;
    this.runId = runId;
    this.roster = hz.getMap(GangState.ROSTER_MAP);
    this.formations = hz.getMap(GangState.FORMATIONS_MAP);
  }

  /** This member's UUID. */
  public UUID self() {
    return hz.getCluster().getLocalMember().getUuid();
  }

  /**
   * Puts this member on the roster. The join order is the cluster time of the call, ties broken
   * by UUID; it decides leadership and rank order.
   */
  public void join() {
    roster.set(rosterKey(self()), hz.getCluster().getClusterTime() + ":" + self());
  }

  /**
   * Puts this member back on the roster if its entry is gone, e.g. after a split-brain merge gave
   * the member a new UUID (the old entry then no longer counts as live). Returns this member's
   * current UUID.
   */
  public UUID rejoinIfMissing() {
    UUID self = self();
    if (!roster.containsKey(rosterKey(self))) {
      join();
    }
    return self;
  }

  /** Takes this member off the roster (its task ended). */
  public void leave() {
    roster.delete(rosterKey(self()));
  }

  /** The current formation, if one was ever written. */
  public Optional<Formation> current() {
    String s = formations.get(runId);
    return s == null ? Optional.empty() : Optional.of(Formation.decode(s));
  }

  /** Live roster members in join order: on the roster and still members of the cluster. */
  public List<UUID> liveRoster() {
    Set<UUID> alive = new HashSet<>();
    for (Member m : hz.getCluster().getMembers()) {
      alive.add(m.getUuid());
    }
    String prefix = runId + "/";
    List<String[]> entries = new ArrayList<>();
    for (Map.Entry<String, String> e : roster.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        String[] v = e.getValue().split(":", 2);
        if (alive.contains(UUID.fromString(v[1]))) {
          entries.add(v);
        }
      }
    }
    entries.sort(Comparator.<String[]>comparingLong(v -> Long.parseLong(v[0])).thenComparing(v -> v[1]));
    return entries.stream().map(v -> UUID.fromString(v[1])).toList();
  }

  /** Whether every member of {@code f} is still in the cluster. */
  public boolean intact(Formation f) {
    Set<UUID> alive = new HashSet<>();
    for (Member m : hz.getCluster().getMembers()) {
      alive.add(m.getUuid());
    }
    return alive.containsAll(f.members());
  }

  /**
   * Writes the formation after {@code previous} (empty: the first), starting at {@code startStep}
   * with the first {@code maxWorkers} live roster members; returns it, or empty if another member
   * wrote first (read {@link #current()} again) or the roster is empty.
   */
  public Optional<Formation> formNext(Optional<Formation> previous, long startStep, int maxWorkers) {
    List<UUID> live = liveRoster();
    if (live.isEmpty()) {
      return Optional.empty();
    }
    List<UUID> members = live.subList(0, Math.min(maxWorkers, live.size()));
    // A first formation is numbered by the cluster clock: when a whole gang dies the formation
    // entry may die with it, and a number used again would meet the dead gang's exchange entries.
    long seq = previous.map(p -> p.seq() + 1).orElseGet(() -> hz.getCluster().getClusterTime());
    Formation next = new Formation(seq, startStep, List.copyOf(members));
    boolean won = previous.isEmpty()
        ? formations.putIfAbsent(runId, next.encode()) == null
        : formations.replace(runId, previous.get().encode(), next.encode());
    return won ? Optional.of(next) : Optional.empty();
  }

  private String rosterKey(UUID member) {
    return runId + "/" + member;
  }

  @Override
  public String toString() {
    return "GangFormations[" + runId + ", roster " + Arrays.toString(liveRoster().toArray()) + "]";
  }
}
