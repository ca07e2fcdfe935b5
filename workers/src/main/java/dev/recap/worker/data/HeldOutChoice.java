package dev.recap.worker.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks the pairs kept out of training for retrieval: the {@code n} keys with the smallest hash
 * of (seed, key). The choice depends on the keys and the seed only, not on shard order, the
 * number of shards or which worker runs it, so a rerun holds out the same pairs, and adding a
 * shard moves a pair out of the held-out set only if a new key ranks before it.
 */
public final class HeldOutChoice {

  private HeldOutChoice() {}

  /**
   * @param keys every candidate key (unique)
   * @return {@code n} of {@code keys}, in their order in {@code keys}
   * @throws IllegalArgumentException if {@code n} exceeds the candidates
   */
  public static Set<String> choose(List<String> keys, int n, long seed) {
    if (n > keys.size()) {
      throw new IllegalArgumentException("cannot hold out " + n + " pairs of " + keys.size());
    }
    List<String> ranked = new ArrayList<>(keys);
    ranked.sort(Comparator.comparingLong((String k) -> Mixing.mix(seed, Mixing.key(k), 0x4E1D)).thenComparing(k -> k));
    Set<String> chosen = Set.copyOf(ranked.subList(0, n));
    Set<String> inOrder = new LinkedHashSet<>();
    for (String k : keys) {
      if (chosen.contains(k)) {
        inOrder.add(k);
      }
    }
    return inOrder;
  }
}
