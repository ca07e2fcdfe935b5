package dev.recap.worker.exchange;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionAwareKey;
import com.hazelcast.partition.PartitionService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Where a gang's exchange entries live: for each rank, the partitions its member owns, and for
 * each partition an integer partition key that hashes to it. A key placed "on rank r" lands on
 * r's member, so the buckets of an all-reduce are spread evenly over the gang's members and
 * each member receives and sends O(model size) per step.
 *
 * <p>Ranks compute the plan from their own view of the partition table; {@link
 * HazelcastCollective#join} checks that all ranks computed the same {@link #fingerprint()}.
 * Placement only affects speed: a partition that migrates later stays correct, it just moves
 * the traffic.
 */
final class PartitionPlan {

  private final int[] partitionKeyFor;
  private final int[][] partitionsOfRank;

  private PartitionPlan(int[] partitionKeyFor, int[][] partitionsOfRank) {
    this.partitionKeyFor = partitionKeyFor;
    this.partitionsOfRank = partitionsOfRank;
  }

  static PartitionPlan compute(HazelcastInstance hz, Gang gang) {
    PartitionService service = hz.getPartitionService();
    int count = service.getPartitions().size();
    int[] keyFor = new int[count];
    Arrays.fill(keyFor, -1);
    int found = 0;
    for (int k = 0; found < count; k++) {
      int p = service.getPartition(k).getPartitionId();
      if (keyFor[p] < 0) {
        keyFor[p] = k;
        found++;
      }
    }
    List<List<Integer>> owned = new ArrayList<>();
    for (int r = 0; r < gang.worldSize(); r++) {
      owned.add(new ArrayList<>());
    }
    for (Partition partition : service.getPartitions()) {
      Member owner = partition.getOwner();
      int r = owner == null ? -1 : gang.rankOf(owner.getUuid());
      if (r >= 0) {
        owned.get(r).add(partition.getPartitionId());
      }
    }
    int[][] byRank = new int[gang.worldSize()][];
    for (int r = 0; r < byRank.length; r++) {
      byRank[r] = owned.get(r).stream().mapToInt(Integer::intValue).sorted().toArray();
      if (byRank[r].length == 0) {
        // Owns nothing (yet): any partition still works, only placement suffers.
        byRank[r] = new int[] {Math.floorMod(r * 7919, count)};
      }
    }
    return new PartitionPlan(keyFor, byRank);
  }

  /**
   * A map key named {@code name} on the {@code index}-th partition of {@code rank}'s member
   * (cycling through that member's partitions).
   */
  Object keyOn(int rank, int index, String name) {
    int[] partitions = partitionsOfRank[rank];
    int partition = partitions[Math.floorMod(index, partitions.length)];
    return new PartitionAwareKey<>(name, partitionKeyFor[partition]);
  }

  /** Identical on all ranks iff they computed the same placement. */
  long fingerprint() {
    long h = 1125899906842597L;
    for (int[] partitions : partitionsOfRank) {
      h = 31 * h + Arrays.hashCode(partitions);
    }
    return h;
  }

  /** How many partitions the plan places on {@code rank}. */
  int partitionsOf(int rank) {
    return partitionsOfRank[rank].length;
  }

  /** The partition id the plan uses for {@code (rank, index)}, for tests. */
  int partitionOf(int rank, int index) {
    int[] partitions = partitionsOfRank[rank];
    return partitions[Math.floorMod(index, partitions.length)];
  }

  static UUID ownerOf(HazelcastInstance hz, Object key) {
    Member owner = hz.getPartitionService().getPartition(key).getOwner();
    return owner == null ? null : owner.getUuid();
  }
}
