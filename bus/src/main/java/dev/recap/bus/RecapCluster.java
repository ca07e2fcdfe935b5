package dev.recap.bus;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the Recap cluster: a clustered Vert.x on Hazelcast with the Avro codec
 * registered, plus the Hazelcast instance for data structures (gradient exchange, schemas).
 *
 * <p>{@link #start} joins or forms a cluster; {@link #startEmbedded} starts N members in this
 * JVM (the embedded default and tests). Always {@link #close()} a member: Hazelcast's threads are
 * not daemons and keep the JVM alive otherwise.
 */
public final class RecapCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecapCluster.class);
  /**
   * Name of the cluster-wide IMap of writer schemas (fingerprint to schema JSON): every member
   * publishes the schema of each record class it sends, so a member with newer classes can
   * resolve an older member's messages.
   */
  public static final String SCHEMA_MAP = "recap.schemas";
  /** The member attribute Vert.x reads its node id from when it is given a running Hazelcast. */
  private static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  private final ClusterOptions options;
  private final AvroMessageCodec codec;
  private final List<Consumer<String>> memberLeftListeners = new CopyOnWriteArrayList<>();

  private RecapCluster(Vertx vertx, HazelcastClusterManager clusterManager, ClusterOptions options, AvroMessageCodec codec) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.options = options;
    this.codec = codec;
  }

  /** Starts one member and waits until it has joined; fails with the cause after 60 s. */
  public static RecapCluster start(ClusterOptions options) {
    Config config = hazelcastConfig(options);
    // the member's Hazelcast is started here, not by Vert.x: then closing Vert.x leaves Hazelcast
    // up, and an embedded cluster can be shut down as a whole once every member's Vert.x is closed
    config.getMemberAttributeConfig().setAttribute(VERTX_NODE_ID_ATTRIBUTE, UUID.randomUUID().toString());
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    HazelcastClusterManager manager = new HazelcastClusterManager(hz);
    VertxOptions vertxOptions = new VertxOptions().setEventBusOptions(
        new EventBusOptions().setHost(options.bindHost()).setClusterPublicHost(options.bindHost()).setPort(0));
    Vertx vertx;
    try {
      vertx = Vertx.builder().with(vertxOptions).withClusterManager(manager).buildClustered()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      hz.shutdown();
      throw new IllegalStateException("could not join " + options + ": " + e.getMessage(), e);
    }
    IMap<Long, String> schemas = hz.getMap(SCHEMA_MAP);
    SingleObjectFormat format = new SingleObjectFormat(
        fp -> {
          String json = schemas.get(fp);
          return json == null ? null : new Schema.Parser().parse(json);
        },
        schema -> schemas.putIfAbsent(SingleObjectFormat.fingerprint(schema), schema.toString()));
    AvroMessageCodec codec = new AvroMessageCodec(format);
    vertx.eventBus().registerCodec(codec);
    vertx.eventBus().codecSelector(body -> body instanceof SpecificRecord ? AvroMessageCodec.NAME : null);
    RecapCluster cluster = new RecapCluster(vertx, manager, options, codec);
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {}

      @Override
      public void memberRemoved(MembershipEvent e) {
        String id = e.getMember().getUuid().toString();
        cluster.memberLeftListeners.forEach(l -> l.accept(id));
      }
    });
    LOG.info("member {} joined {} at {}", cluster.nodeId(), options.clusterName(), cluster.address());
    return cluster;
  }

  /**
   * Starts {@code count} members in this JVM on one cluster: the first forms it, the others join
   * the first's address. On failure the members already started are closed.
   */
  public static List<RecapCluster> startEmbedded(int count, ClusterOptions options) {
    if (count < 1) {
      throw new IllegalArgumentException("an embedded cluster needs at least 1 member, got " + count);
    }
    List<RecapCluster> members = new ArrayList<>();
    try {
      RecapCluster first = start(options.copy());
      members.add(first);
      for (int i = 1; i < count; i++) {
        members.add(start(options.copy().addMember(first.address())));
      }
      return members;
    } catch (RuntimeException e) {
      members.forEach(RecapCluster::close);
      throw e;
    }
  }

  static Config hazelcastConfig(ClusterOptions options) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(options.clusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(options.failureDetectionSeconds()));
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(options.heartbeatIntervalSeconds()));
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // a member leaving gives up waiting for its partitions to move after this long, as closing did before
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "30");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.port()).setPortAutoIncrement(true).setPortCount(200);
    network.getInterfaces().setEnabled(true).addInterface(options.bindHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>());
    if (options.members().isEmpty()) {
      join.getTcpIpConfig().addMember(options.bindHost());
    } else {
      options.members().forEach(join.getTcpIpConfig()::addMember);
    }
    return config;
  }

  /** The clustered Vert.x of this member. */
  public Vertx vertx() {
    return vertx;
  }

  /** The Hazelcast member under the event bus, for maps and entry processors. */
  public HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** This member's id: the Hazelcast member UUID, as {@link #onMemberLeft} reports it. */
  public String nodeId() {
    return hazelcast().getCluster().getLocalMember().getUuid().toString();
  }

  /** "host:port" others pass to {@link ClusterOptions#addMember} to join this cluster. */
  public String address() {
    InetSocketAddress a = hazelcast().getCluster().getLocalMember().getSocketAddress();
    return options.bindHost() + ":" + a.getPort();
  }

  /** Node ids of every current member. */
  public List<String> memberIds() {
    return hazelcast().getCluster().getMembers().stream().map(m -> m.getUuid().toString()).toList();
  }

  /** The options this member started with. */
  public ClusterOptions options() {
    return options;
  }

  /** The Avro codec registered on this member's event bus. */
  public AvroMessageCodec codec() {
    return codec;
  }

  /** Calls {@code listener} with the node id of every member that leaves or is declared dead. */
  public void onMemberLeft(Consumer<String> listener) {
    memberLeftListeners.add(listener);
  }

  /**
   * Stops Vert.x, then leaves the cluster gracefully (its partitions move to the members that
   * stay); waits up to 30 s for Vert.x.
   */
  @Override
  public void close() {
    closeVertx();
    HazelcastInstance hz = hazelcast();
    if (hz.getLifecycleService().isRunning()) {
      hz.shutdown();
    }
  }

  /**
   * Shuts down a whole cluster whose members are all in this JVM (the embedded cluster): every
   * member's Vert.x first, then Hazelcast on every member at once. Closing the members one by one
   * instead would move every partition to the members left at each step, down to one member that
   * cannot hold the backups, while the members still running wait for backup owners that never
   * come (and get interrupted in that wait when their turn comes).
   */
  public static void closeAll(List<RecapCluster> members) {
    for (int i = members.size() - 1; i >= 0; i--) {
      members.get(i).closeVertx();
    }
    members.stream().map(RecapCluster::hazelcast).filter(hz -> hz.getLifecycleService().isRunning()).findFirst()
        .ifPresent(hz -> {
          try {
            // no migrations in the passive state the cluster-wide shutdown puts the cluster in
            hz.getCluster().shutdown();
          } catch (RuntimeException e) {
            LOG.warn("cluster {}: shutting its members down together failed ({}); shutting each down",
                members.get(0).options.clusterName(), e.toString());
          }
        });
    for (RecapCluster member : members) {
      HazelcastInstance hz = member.hazelcast();
      if (hz.getLifecycleService().isRunning()) {
        hz.shutdown();
      }
    }
  }

  private void closeVertx() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing the event bus of member {} of {}: {}", nodeIdOrUnknown(), options.clusterName(), e.toString());
    }
  }

  private String nodeIdOrUnknown() {
    HazelcastInstance hz = hazelcast();
    return hz.getLifecycleService().isRunning() ? nodeId() : "(stopped)";
  }
}
