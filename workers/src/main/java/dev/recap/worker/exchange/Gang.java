package dev.recap.worker.exchange;

import dev.recap.bus.exchange.RankMask;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * One formation of data-parallel replicas, as the coordinator hands it to each member: an id
 * unique to this formation, the Hazelcast member of every rank in rank order, and the rank of
 * the member holding this value.
 *
 * <p>Re-forming (a worker died or joined) means a new {@code Gang} with a new id: exchange
 * entries are keyed by the id, so leftovers of an abandoned formation can never mix into the
 * next one.
 *
 * @param id unique per formation, e.g. {@code "run-7/g3"}; the same on every rank
 * @param rank this member's rank, the index of its member UUID in {@code members}
 * @param members the Hazelcast member UUID of each rank, index = rank
 */
public record Gang(String id, int rank, List<UUID> members) {

  /** Validates the formation; fails with a message naming the bad part. */
  public Gang {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("gang id is blank: give each formation a unique id");
    }
    members = List.copyOf(members);
    RankMask.check(rank, members.size());
    if (new HashSet<>(members).size() != members.size()) {
      throw new IllegalArgumentException(
          "gang " + id + " lists a member twice: " + members);
    }
  }

  /** The gang in which {@code self} has the rank of its position in {@code members}. */
  public static Gang of(String id, List<UUID> members, UUID self) {
    int rank = members.indexOf(self);
    if (rank < 0) {
      throw new IllegalArgumentException(
          "member " + self + " is not in gang " + id + " " + members);
    }
    return new Gang(id, rank, members);
  }

  /** The number of ranks. */
  public int worldSize() {
    return members.size();
  }

  /** The rank of {@code member}, or -1 if it is not in this gang. */
  public int rankOf(UUID member) {
    return members.indexOf(member);
  }
}
