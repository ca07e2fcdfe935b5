package dev.recap.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How a node joins the Recap cluster: loopback by default, failure detection in seconds.
 *
 * <p>With no {@linkplain #addMember members} the node starts (or finds, on its own host) a
 * cluster; with members it joins the cluster one of them belongs to ("host:port", one port per
 * entry: Hazelcast 5.3 rejects port ranges there).
 */
public final class ClusterOptions {

  private String clusterName = "recap";
  private String bindHost = "127.0.0.1";
  private int port = 5701;
  private final List<String> members = new ArrayList<>();
  private int failureDetectionSeconds = 6;
  private int heartbeatIntervalSeconds = 1;

  /** Options with defaults: cluster "recap", 127.0.0.1, port 5701 (auto-increment), 6 s failure detection. */
  public ClusterOptions() {}

  /** Defaults with a random cluster name, so concurrent tests never merge. */
  public static ClusterOptions isolated() {
    return new ClusterOptions().setClusterName("recap-" + UUID.randomUUID().toString().substring(0, 8));
  }

  public String clusterName() {
    return clusterName;
  }

  public ClusterOptions setClusterName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("cluster name must not be blank");
    }
    this.clusterName = name;
    return this;
  }

  public String bindHost() {
    return bindHost;
  }

  /** The IPv4 address to bind and advertise (Hazelcast interfaces want an address, not a name). */
  public ClusterOptions setBindHost(String host) {
    this.bindHost = Objects.requireNonNull(host, "bind host");
    return this;
  }

  public int port() {
    return port;
  }

  /** First Hazelcast port to try; the next free one above it is taken if it is busy. */
  public ClusterOptions setPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    this.port = port;
    return this;
  }

  public List<String> members() {
    return List.copyOf(members);
  }

  /** A member to join, as "host:port". */
  public ClusterOptions addMember(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("member must be host:port, got '" + hostPort + "'");
    }
    try {
      Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("member port must be a single number, got '" + hostPort + "'");
    }
    members.add(hostPort);
    return this;
  }

  public int failureDetectionSeconds() {
    return failureDetectionSeconds;
  }

  /** Seconds without a heartbeat after which a member is declared dead (Hazelcast's default is 300). */
  public ClusterOptions setFailureDetectionSeconds(int seconds) {
    if (seconds < 2) {
      throw new IllegalArgumentException("failure detection must be at least 2 s, got " + seconds);
    }
    this.failureDetectionSeconds = seconds;
    return this;
  }

  public int heartbeatIntervalSeconds() {
    return heartbeatIntervalSeconds;
  }

  public ClusterOptions setHeartbeatIntervalSeconds(int seconds) {
    if (seconds < 1) {
      throw new IllegalArgumentException("heartbeat interval must be at least 1 s, got " + seconds);
    }
    this.heartbeatIntervalSeconds = seconds;
    return this;
  }

  /** A copy, so embedded members can share a base configuration. */
  public ClusterOptions copy() {
    ClusterOptions c = new ClusterOptions();
    c.clusterName = clusterName;
    c.bindHost = bindHost;
    c.port = port;
    c.members.addAll(members);
    c.failureDetectionSeconds = failureDetectionSeconds;
    c.heartbeatIntervalSeconds = heartbeatIntervalSeconds;
    return c;
  }

  @Override
  public String toString() {
    return "cluster " + clusterName + " on " + bindHost + ":" + port + (members.isEmpty() ? "" : " joining " + members)
        + ", failure detection " + failureDetectionSeconds + " s";
  }
}
