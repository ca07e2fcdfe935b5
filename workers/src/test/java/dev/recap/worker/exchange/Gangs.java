package dev.recap.worker.exchange;

import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one body per rank, each on its own thread with its own member, as a gang would. */
final class Gangs {

  interface RankBody<T> {
    T run(HazelcastCollective collective) throws Exception;
  }

  private Gangs() {}

  static <T> List<T> onEveryRank(List<HazelcastInstance> members, String gangId,
      ExchangeOptions options, RankBody<T> body) throws Exception {
    List<java.util.UUID> uuids = members.stream()
        .map(m -> m.getCluster().getLocalMember().getUuid()).toList();
    ExecutorService pool = Executors.newFixedThreadPool(members.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < members.size(); r++) {
        HazelcastInstance member = members.get(r);
        Gang gang = new Gang(gangId, r, uuids);
        futures.add(pool.submit(() -> {
          try (HazelcastCollective c = HazelcastCollective.join(member, gang, options)) {
            return body.run(c);
          }
        }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Exception cause) {
            throw cause;
          }
          throw e;
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
