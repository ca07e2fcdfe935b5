package dev.recap.coordinator.run;

import dev.recap.bus.RecapCluster;
import dev.recap.bus.exchange.GangState;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the cluster state of ended jobs' gang runs (in-memory commits, roster, formations, loss
 * lines): no task of an ended job runs again, and a finished run's last commit would otherwise
 * hold a model and its optimizer moments in the cluster's memory for good.
 */
final class GangStateCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(GangStateCleanup.class);

  private final RecapCluster cluster;
  private final Set<CompletableFuture<?>> underWay = ConcurrentHashMap.newKeySet();

  GangStateCleanup(RecapCluster cluster) {
    this.cluster = cluster;
  }

  /** Drops it in the background: Hazelcast calls block, and this is called under the coordinator's lock. */
  void forget(List<String> jobIds) {
    CompletableFuture<Void> done = cluster.vertx().executeBlocking(() -> {
      GangState.forgetJobs(cluster.hazelcast(), jobIds);
      return (Void) null;
    }, false).onFailure(e -> LOG.warn("job(s) {}: their gang state stays in the cluster's memory until the cluster"
        + " restarts, dropping it failed: {}", jobIds, e.toString())).toCompletionStage().toCompletableFuture();
    underWay.add(done);
    done.whenComplete((r, e) -> underWay.remove(done));
  }

  /**
   * Waits for the cleanups under way: closing the member's Vert.x right after a job ends would
   * interrupt them inside Hazelcast calls.
   */
  void awaitUnderWay(long timeoutMillis) {
    try {
      CompletableFuture.allOf(underWay.toArray(CompletableFuture[]::new)).get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // a failed cleanup was logged when it failed
    } catch (TimeoutException e) {
      LOG.warn("dropping the gang state of ended jobs is still under way after {} ms; closing anyway", timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
