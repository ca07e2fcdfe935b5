package dev.recap.coordinator.run;

import dev.recap.bus.RecapCluster;
import dev.recap.bus.exchange.GangState;
import java.util.List;
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

  GangStateCleanup(RecapCluster cluster) {
    this.cluster = cluster;
  }

  /** Drops it in the background: Hazelcast calls block, and this is called under the coordinator's lock. */
  void forget(List<String> jobIds) {
    cluster.vertx().executeBlocking(() -> {
      GangState.forgetJobs(cluster.hazelcast(), jobIds);
      return null;
    }, false).onFailure(e -> LOG.warn("job(s) {}: their gang state stays in the cluster's memory until the cluster"
        + " restarts, dropping it failed: {}", jobIds, e.toString()));
  }
}
