package dev.recap.coordinator.cli;

import dev.recap.bus.ClusterOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Cluster options shared by the commands that join a cluster. */
final class ClusterArgs {

  @Option(names = "--cluster-name", defaultValue = "recap", description = "Cluster name; members with another name never join (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "IPv4 address to bind and advertise (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--port", defaultValue = "5701", description = "First cluster port to try (default: ${DEFAULT-VALUE}); the next free one is taken.")
  int port;

  @Option(names = "--join", paramLabel = "HOST:PORT", description = "A member of the cluster to join (repeatable).")
  List<String> join = new ArrayList<>();

  @Option(names = "--failure-seconds", defaultValue = "6", description = "Seconds without heartbeat before a member is declared dead (default: ${DEFAULT-VALUE}).")
  int failureSeconds;

  ClusterOptions toOptions() {
    ClusterOptions o = new ClusterOptions().setClusterName(clusterName).setBindHost(bind).setPort(port)
        .setFailureDetectionSeconds(failureSeconds);
    join.forEach(o::addMember);
    return o;
  }
}
