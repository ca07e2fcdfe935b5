package dev.recap.worker.exchange;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.recap.bus.exchange.AddToReduction;
import dev.recap.bus.exchange.ExchangeRead;
import dev.recap.bus.exchange.GatherSlot;
import dev.recap.bus.exchange.ReadReduction;
import dev.recap.bus.exchange.Rendezvous;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Collective} for a gang of workers, through a Hazelcast IMap and entry processors.
 *
 * <p><b>All-reduce</b> (reduce-scatter + gather): the buffer is cut into N equal shares, rank
 * r's share held on partitions its member owns, each share cut into buckets of at most {@link
 * ExchangeOptions#bucketFloats()} floats. Every rank sends each of its slices to the bucket's
 * owner, where {@link AddToReduction} folds it in place (in rank order, so every rank and every
 * run gets the same bits); the contribution that completes a bucket gets the sum back in its
 * response, the other ranks read it. Each worker thus sends and receives about one model's
 * worth of bytes per step whatever N is, and the owners' load is even.
 *
 * <p><b>Failure</b>: a gang member leaving the cluster (or this instance shutting down) breaks
 * the collective: every pending and later operation throws {@link GangBrokenException} naming
 * the step and the rank, within a poll interval of Hazelcast noticing. If no member leaves but
 * a rank stops contributing, the operation fails after {@link
 * ExchangeOptions#operationTimeout()} naming the ranks it waited for.
 *
 * <p>Not thread safe: one trainer thread calls the operations, in the same order with the same
 * tags on every rank.
 */
public final class HazelcastCollective implements Collective, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HazelcastCollective.class);
  private static final int PLAN_ATTEMPTS = 50;

  private final HazelcastInstance hz;
  private final Gang gang;
  private final ExchangeOptions options;
  private final IMap<Object, Object> map;
  private final UUID membershipRegistration;
  private final UUID lifecycleRegistration;
  private volatile GangBrokenException broken;
  private PartitionPlan plan;

  private HazelcastCollective(HazelcastInstance hz, Gang gang, ExchangeOptions options) {
    this.hz = hz;
    this.gang = gang;
    this.options = options;
    configureMap(hz, options);
    this.map = hz.getMap(options.mapName());
    this.membershipRegistration = hz.getCluster().addMembershipListener(new GangWatch());
    this.lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN
          || event.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
        breakGang(new int[] {gang.rank()}, "this member (rank " + gang.rank() + ") shut down");
      }
    });
  }

  /**
   * Joins {@code gang} through {@code hz}, whose local member must be {@code
   * gang.members().get(gang.rank())}. Blocks until every rank has joined and all agree on where
   * entries live; fails with {@link GangBrokenException} if a member is not in the cluster or
   * does not join within the operation timeout.
   */
  public static HazelcastCollective join(HazelcastInstance hz, Gang gang, ExchangeOptions options) {
    UUID local = hz.getCluster().getLocalMember().getUuid();
    if (!local.equals(gang.members().get(gang.rank()))) {
      throw new IllegalArgumentException(
          "gang " + gang.id() + " gives rank " + gang.rank() + " to member "
              + gang.members().get(gang.rank()) + " but this Hazelcast member is " + local);
    }
    HazelcastCollective collective = new HazelcastCollective(hz, gang, options);
    try {
      collective.checkAllPresent();
      collective.agreeOnPlan();
      return collective;
    } catch (RuntimeException e) {
      collective.close();
      throw e;
    }
  }

  private static void configureMap(HazelcastInstance hz, ExchangeOptions options) {
    // OBJECT: entry processors update the stored arrays in place instead of deserializing and
    // re-serializing a bucket per contribution (about 3x faster measured on loopback). No backups: a gang
    // whose member dies is broken anyway, and its buckets are re-done by the next formation.
    MapConfig config = new MapConfig(options.mapName())
        .setInMemoryFormat(InMemoryFormat.OBJECT)
        .setBackupCount(0)
        .setAsyncBackupCount(0)
        .setTimeToLiveSeconds((int) Math.min(Integer.MAX_VALUE, options.entryTtl().toSeconds()))
        .setStatisticsEnabled(false);
    try {
      hz.getConfig().addMapConfig(config);
    } catch (InvalidConfigurationException e) {
      throw new IllegalStateException(
          "the cluster already configures map '" + options.mapName() + "' differently from the"
              + " exchange (OBJECT format, no backups): drop that map config or choose another"
              + " ExchangeOptions.mapName", e);
    }
  }

  @Override
  public int rank() {
    return gang.rank();
  }

  @Override
  public int worldSize() {
    return gang.worldSize();
  }

  /** The formation this collective belongs to. */
  public Gang gang() {
    return gang;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The sum is folded in rank order, {@code ((x0 + x1) + x2) + ...}, so it equals a local
   * sum in that order bit for bit. If this throws, {@code data} may hold a mix of inputs and
   * sums: the step is to be abandoned.
   *
   * @throws GangBrokenException if a member left or ranks stopped contributing
   * @throws IllegalStateException if ranks passed arrays of different lengths
   */
  @Override
  public void allReduceSum(String tag, float[] data) {
    failIfBroken(tag);
    int n = gang.worldSize();
    if (n == 1 || data.length == 0) {
      return;
    }
    long deadline = deadline();
    List<Bucket> buckets = Bucket.layout(data.length, n, options.bucketFloats());
    Object[] keys = new Object[buckets.size()];
    List<CompletableFuture<ExchangeRead>> adds = new ArrayList<>(buckets.size());
    for (int b = 0; b < buckets.size(); b++) {
      Bucket bucket = buckets.get(b);
      float[] slice = Arrays.copyOfRange(data, bucket.from(), bucket.to());
      keys[b] = plan.keyOn(bucket.owner(), bucket.indexOnOwner(), gang.id() + "/" + tag + "/r" + b);
      adds.add(map.submitToKey(keys[b], untyped(new AddToReduction(gang.rank(), n, slice)))
          .toCompletableFuture());
    }
    // The contribution that completes a bucket brings its sum back; poll only the others.
    List<Integer> unread = new ArrayList<>();
    for (int b = 0; b < buckets.size(); b++) {
      ExchangeRead added = await(tag, adds.get(b), deadline);
      switch (added.status()) {
        case COMPLETE -> copyInto(data, buckets.get(b), added.floats());
        case FAILED -> throw new IllegalStateException(
            "gang " + gang.id() + ", '" + tag + "': " + added.failure());
        default -> unread.add(b);
      }
    }
    if (unread.isEmpty()) {
      return;
    }
    Object[] pending = unread.stream().map(b -> keys[b]).toArray();
    awaitAll(tag, pending, i -> new ReadReduction(gang.rank()), true, deadline,
        (i, read) -> copyInto(data, buckets.get(unread.get(i)), read.floats()));
  }

  /** A bucket's sum into its place; Reduction already failed any bucket whose lengths differ. */
  private static void copyInto(float[] data, Bucket bucket, float[] sum) {
    System.arraycopy(sum, 0, data, bucket.from(), sum.length);
  }

  /**
   * One all-reduce bucket: floats {@code [from, to)} of the buffer, held on rank {@code owner}'s
   * member as its {@code indexOnOwner}-th bucket.
   */
  record Bucket(int owner, int indexOnOwner, int from, int to) {

    /**
     * The buffer cut into {@code n} equal shares (rank r owns share r), each cut into buckets of
     * at most {@code bucketFloats}: every rank folds and serves the same number of floats, so no
     * member's link carries more than its 1/n of the sums.
     */
    static List<Bucket> layout(int length, int n, int bucketFloats) {
      List<Bucket> out = new ArrayList<>();
      int share = (length + n - 1) / n;
      for (int owner = 0; owner < n; owner++) {
        int start = Math.min(length, owner * share);
        int end = Math.min(length, start + share);
        int index = 0;
        for (int from = start; from < end; from += bucketFloats) {
          out.add(new Bucket(owner, index++, from, Math.min(end, from + bucketFloats)));
        }
      }
      return out;
    }
  }

  @Override
  public float[][] allGather(String tag, float[] local) {
    failIfBroken(tag);
    int n = gang.worldSize();
    float[][] result = new float[n][];
    result[gang.rank()] = local;
    if (n == 1) {
      return result;
    }
    long deadline = deadline();
    Object[] keys = new Object[n];
    for (int r = 0; r < n; r++) {
      keys[r] = plan.keyOn(r, 0, gang.id() + "/" + tag + "/g" + r);
    }
    await(tag, map.submitToKey(keys[gang.rank()],
        untyped(new GatherSlot.Publish(gang.rank(), n, local.clone()))).toCompletableFuture(),
        deadline);
    Object[] others = new Object[n - 1];
    int[] rankOf = new int[n - 1];
    for (int r = 0, i = 0; r < n; r++) {
      if (r != gang.rank()) {
        others[i] = keys[r];
        rankOf[i++] = r;
      }
    }
    awaitAll(tag, others, i -> new GatherSlot.Read(gang.rank()), false, deadline,
        (i, read) -> result[rankOf[i]] = read.floats());
    return result;
  }

  /**
   * Every rank's {@code value}, indexed by rank, once all ranks have called this with the same
   * tag: a barrier that also carries a vote, a step number or a checksum.
   */
  public long[] allGatherLongs(String tag, long value) {
    failIfBroken(tag);
    if (gang.worldSize() == 1) {
      return new long[] {value};
    }
    return rendezvous(tag, plan.keyOn(0, 0, gang.id() + "/" + tag + "/v"), value);
  }

  /** Returns once every rank has reached {@code tag}. */
  public void barrier(String tag) {
    allGatherLongs(tag, 0L);
  }

  /** Unregisters the listeners; leaves the entries of unfinished steps to their TTL. */
  @Override
  public void close() {
    try {
      if (hz.getLifecycleService().isRunning()) {
        hz.getCluster().removeMembershipListener(membershipRegistration);
        hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
      }
    } catch (RuntimeException e) {
      log.debug("gang {}: listeners not removed, instance is going down", gang.id(), e);
    }
  }

  private long[] rendezvous(String tag, Object key, long value) {
    long deadline = deadline();
    await(tag, map.submitToKey(key, untyped(new Rendezvous.Arrive(gang.rank(), gang.worldSize(), value)))
        .toCompletableFuture(), deadline);
    long[][] out = new long[1][];
    awaitAll(tag, new Object[] {key}, i -> new Rendezvous.Read(gang.rank()), true, deadline,
        (i, read) -> out[0] = read.longs());
    return out[0];
  }

  private void checkAllPresent() {
    Set<UUID> present = hz.getCluster().getMembers().stream()
        .map(Member::getUuid).collect(Collectors.toSet());
    int[] missing = gang.members().stream().filter(m -> !present.contains(m))
        .mapToInt(gang::rankOf).toArray();
    if (missing.length > 0) {
      throw new GangBrokenException(gang.id(), "join", missing,
          "not in the cluster: " + Arrays.stream(missing)
              .mapToObj(r -> gang.members().get(r).toString()).toList(), null);
    }
  }

  private void agreeOnPlan() {
    for (int attempt = 0; attempt < PLAN_ATTEMPTS; attempt++) {
      PartitionPlan candidate = PartitionPlan.compute(hz, gang);
      if (gang.worldSize() == 1) {
        plan = candidate;
        return;
      }
      // Before the plan exists the rendezvous key is placed by its plain hash.
      long[] prints = rendezvous("join", gang.id() + "/join/plan-" + attempt,
          candidate.fingerprint());
      if (Arrays.stream(prints).allMatch(p -> p == prints[0])) {
        plan = candidate;
        return;
      }
      // Views of the partition table differ while partitions migrate: look again shortly.
      sleepNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new GangBrokenException(gang.id(), "join", new int[0],
        "the ranks' partition tables kept disagreeing over " + PLAN_ATTEMPTS
            + " attempts: is the cluster still migrating partitions?", null);
  }

  /** Which rank an entry is read for, and what to do with a complete read. */
  private interface ReadHandler {
    void accept(int index, ExchangeRead read);
  }

  /**
   * Polls every key with the reader until all are complete, with back-off; {@code
   * absentMeansLost} when this rank's own contribution to each entry was already acknowledged,
   * so an absent entry can only have gone down with its member.
   */
  private void awaitAll(String tag, Object[] keys,
      IntFunction<EntryProcessor<?, ?, ExchangeRead>> reader, boolean absentMeansLost,
      long deadline, ReadHandler onComplete) {
    boolean[] done = new boolean[keys.length];
    int remaining = keys.length;
    long pauseNanos = TimeUnit.MICROSECONDS.toNanos(50);
    int[] waitingFor = new int[0];
    while (true) {
      failIfBroken(tag);
      List<CompletableFuture<ExchangeRead>> reads = new ArrayList<>(keys.length);
      for (int i = 0; i < keys.length; i++) {
        reads.add(done[i] ? null
            : map.submitToKey(keys[i], untyped(reader.apply(i))).toCompletableFuture());
      }
      for (int i = 0; i < keys.length; i++) {
        if (done[i]) {
          continue;
        }
        ExchangeRead read = await(tag, reads.get(i), deadline, waitingFor);
        switch (read.status()) {
          case COMPLETE -> {
            onComplete.accept(i, read);
            done[i] = true;
            remaining--;
          }
          case INCOMPLETE -> waitingFor = read.missingRanks();
          case FAILED -> throw new IllegalStateException(
              "gang " + gang.id() + ", '" + tag + "': " + read.failure());
          case ABSENT -> {
            if (absentMeansLost) {
              failIfDeparted(tag);
              throw breakGang(tag, new int[0], "entry " + keys[i] + " vanished: the member"
                  + " holding it left the cluster or it outlived the entry TTL", null);
            }
          }
        }
      }
      if (remaining == 0) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw breakGang(tag, waitingFor, "no contribution within "
            + options.operationTimeout().toSeconds() + " s (ExchangeOptions.operationTimeout)"
            + " and no member has left: is a rank stuck or calling operations in another"
            + " order?", null);
      }
      sleepNanos(pauseNanos);
      pauseNanos = Math.min(pauseNanos * 2, options.maxPoll().toNanos());
    }
  }

  /** Waits for an operation, waking up regularly to notice a broken gang. */
  private <T> T await(String tag, CompletableFuture<T> future, long deadline) {
    return await(tag, future, deadline, new int[0]);
  }

  /**
   * As {@link #await(String, CompletableFuture, long)}; on timeout the error names
   * {@code waitingFor}, the ranks last seen missing, since a slow read under load can outlast
   * the deadline before the poll loop itself notices it.
   */
  private <T> T await(String tag, CompletableFuture<T> future, long deadline, int[] waitingFor) {
    while (true) {
      failIfBroken(tag);
      try {
        return future.get(20, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (System.nanoTime() - deadline > 0) {
          throw breakGang(tag, waitingFor, "a Hazelcast operation did not finish within "
              + options.operationTimeout().toSeconds() + " s (ExchangeOptions.operationTimeout)", e);
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
          // The ranks disagree (array sizes, world size): a bug in the caller, not a failure.
          throw new IllegalStateException(
              "gang " + gang.id() + ", '" + tag + "': " + cause.getMessage(), cause);
        }
        failIfDeparted(tag);
        throw breakGang(tag, new int[0], "Hazelcast operation failed: " + cause, cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GangBrokenException(gang.id(), tag, new int[0], "interrupted", e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <R> EntryProcessor<Object, Object, R> untyped(EntryProcessor<?, ?, R> p) {
    // The processors are typed by their entry values; the map holds several kinds of value.
    return (EntryProcessor<Object, Object, R>) p;
  }

  private void failIfBroken(String tag) {
    GangBrokenException b = broken;
    if (b != null) {
      throw new GangBrokenException(gang.id(), tag, b.missingRanks(), b.reason(), b);
    }
  }

  /**
   * Fails if a gang member is gone from the cluster's member list: a lost entry or a failed
   * operation is often seen before the membership event reaches {@link GangWatch}.
   */
  private void failIfDeparted(String tag) {
    failIfBroken(tag);
    Set<UUID> present = hz.getCluster().getMembers().stream()
        .map(Member::getUuid).collect(Collectors.toSet());
    int[] departed = gang.members().stream().filter(m -> !present.contains(m))
        .mapToInt(gang::rankOf).toArray();
    if (departed.length > 0) {
      throw breakGang(tag, departed, "rank(s) " + Arrays.toString(departed)
          + " left the cluster", null);
    }
  }

  private GangBrokenException breakGang(String tag, int[] ranks, String why, Throwable cause) {
    GangBrokenException e = new GangBrokenException(gang.id(), tag, ranks, why, cause);
    if (broken == null) {
      broken = e;
    }
    return e;
  }

  private void breakGang(int[] ranks, String why) {
    GangBrokenException e = breakGang("membership change", ranks, why, null);
    log.warn("{}", e.getMessage());
  }

  private long deadline() {
    return System.nanoTime() + options.operationTimeout().toNanos();
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Breaks the gang when one of its members leaves the cluster. */
  private final class GangWatch implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {}

    @Override
    public void memberRemoved(MembershipEvent event) {
      int r = gang.rankOf(event.getMember().getUuid());
      if (r >= 0) {
        breakGang(new int[] {r}, "rank " + r + " (member " + event.getMember().getUuid()
            + " at " + event.getMember().getAddress() + ") left the cluster");
      }
    }
  }
}
