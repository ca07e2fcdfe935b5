package dev.recap.worker.exchange;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hazelcast members on 127.0.0.1 only, for tests and the benchmark: the settings found to work on
 * loopback (bind to 127.0.0.1 only, tcp-ip join, no multicast), plus failure detection in seconds instead of 300 s.
 */
public final class LoopbackCluster implements AutoCloseable {

  static final int PORT_COUNT = 4;

  public final String name;
  public final int basePort;
  public final List<HazelcastInstance> members = new ArrayList<>();

  public LoopbackCluster() {
    this("recap-exchange-test-" + UUID.randomUUID(),
        ThreadLocalRandom.current().nextInt(20_000, 32_000));
  }

  LoopbackCluster(String name, int basePort) {
    this.name = name;
    this.basePort = basePort;
  }

  /** Starts {@code n} more members in this JVM. */
  public LoopbackCluster start(int n) {
    for (int i = 0; i < n; i++) {
      members.add(Hazelcast.newHazelcastInstance(config(name, basePort)));
    }
    return this;
  }

  public static Config config(String clusterName, int basePort) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.logging.type", "none");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(basePort).setPortAutoIncrement(true).setPortCount(PORT_COUNT);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int i = 0; i < PORT_COUNT; i++) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + (basePort + i));
    }
    return config;
  }

  List<UUID> uuids() {
    return members.stream().map(m -> m.getCluster().getLocalMember().getUuid()).toList();
  }

  @Override
  public void close() {
    for (HazelcastInstance m : members) {
      try {
        m.getLifecycleService().terminate();
      } catch (RuntimeException ignored) {
        // already down
      }
    }
  }
}
