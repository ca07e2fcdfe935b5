package dev.recap.worker.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.data.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams one epoch of one rank as {@link Batch}es. A reader thread walks the shards in the
 * epoch's order through a {@link ShuffleBuffer} and cuts this rank's records into batches, as its
 * {@link RankSplit} says (by default every rank takes its slice of each global batch); {@code threads} workers decode and augment whole batches;
 * at most {@code prefetch} batches wait, decoded or in flight. Batches come out in a fixed order
 * and every random choice (shuffle, crop, flip, curated caption) derives from the seed, the epoch
 * and the sample key, so a run is reproducible whatever the thread count.
 *
 * <p>Bad samples are skipped and counted in {@link #skips()}; a shard that cannot be opened makes
 * {@link #next} throw a {@link ShardOpenException} naming it.
 */
public final class BatchLoader implements AutoCloseable {

  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  /** A batch decoded on the host, before it becomes NDArrays. */
  private record HostBatch(float[] images, int[] classes, float[] depth, List<String> keys, List<String> captions,
      DataPosition position) {}

  private static final Future<HostBatch> END = CompletableFuture.completedFuture(null);

  private final LoaderOptions opt;
  private final List<RecordShard> shards;
  private final SkipReport skips = new SkipReport();
  private final Augmentation augmentation;
  private final CaptionMixer captions;
  private final BlockingQueue<Future<HostBatch>> ready;
  private final ExecutorService decoders;
  private final Thread reader;
  private volatile DataPosition position;
  private boolean finished;

  public BatchLoader(List<? extends RecordShard> shards, LoaderOptions options) {
    this.opt = options;
    this.shards = opt.split == RankSplit.BY_SHARD
        ? ShardAssignment.forRank(List.copyOf(shards), opt.seed, opt.epoch, opt.rank, opt.worldSize)
        : ShardAssignment.epochOrder(List.copyOf(shards), opt.seed, opt.epoch);
    this.augmentation = new Augmentation(opt.imageSize, opt.augment, opt.augmentPolicy);
    this.captions = new CaptionMixer(opt.captionSource, opt.overrides, opt.curatedProbability, opt.seed);
    this.position = opt.resumeFrom != null ? opt.resumeFrom : DataPosition.start(opt.epoch);
    this.ready = new ArrayBlockingQueue<>(opt.prefetch);
    int id = THREAD_IDS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.decoders = Executors.newFixedThreadPool(opt.threads, r -> {
      Thread t = new Thread(r, "recap-loader-" + id + "-decode-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.reader = new Thread(this::read, "recap-loader-" + id + "-read");
    reader.setDaemon(true);
    reader.start();
  }

  /** The counts of skipped samples so far (for the task result). */
  public SkipReport skips() {
    return skips;
  }

  /** The position after the last batch {@link #next} returned. */
  public DataPosition position() {
    return position;
  }

  /**
   * The next batch, on a sub-manager of {@code manager} that the batch owns, or null at the end
   * of the epoch. Blocks until the batch is decoded.
   *
   * @throws ShardOpenException if one of this rank's shards cannot be opened
   */
  public Batch next(NDManager manager) throws InterruptedException {
    while (!finished) {
      Future<HostBatch> f = ready.take();
      if (f == END) {
        finished = true;
        break;
      }
      HostBatch hb;
      try {
        hb = f.get();
      } catch (ExecutionException e) {
        finished = true;
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("data loader failed: " + e.getCause(), e.getCause());
      }
      position = hb.position();
      if (hb.keys().isEmpty()) {
        continue; // every sample of this batch was bad
      }
      return toBatch(hb, manager);
    }
    return null;
  }

  private Batch toBatch(HostBatch hb, NDManager parent) {
    int b = hb.keys().size();
    int s = opt.imageSize;
    NDManager m = parent.newSubManager();
    try {
      NDArray images = m.create(hb.images(), new Shape(b, 3, s, s));
      NDArray classes = hb.classes() == null ? null : m.create(hb.classes(), new Shape(b, s, s));
      NDArray depth = hb.depth() == null ? null : m.create(hb.depth(), new Shape(b, s, s));
      return new Batch(m, images, classes, depth, hb.keys(), hb.captions(), hb.position());
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** The reader thread: shards -> shuffle -> this rank's batches of raw records -> decoders. */
  private void read() {
    try {
      boolean bySample = opt.split == RankSplit.BY_SAMPLE;
      long streamSeed = Mixing.mix(opt.seed, opt.epoch, bySample ? 0 : 1 + opt.rank);
      ShuffleBuffer<RawRecord> shuffle = new ShuffleBuffer<>(opt.shuffleBuffer, new SplittableRandom(streamSeed));
      // a "group" is what the emitted records are cut into: a global batch (BY_SAMPLE) or this rank's batch
      int group = bySample ? opt.batchSize * opt.worldSize : opt.batchSize;
      long skipUntil = opt.resumeFrom != null ? opt.resumeFrom.emitted() : 0;
      long emitted = 0;
      List<RawRecord> pending = new ArrayList<>(group);
      int shardIndex = 0;
      long offset = 0;
      for (; shardIndex < shards.size(); shardIndex++) {
        offset = 0;
        try (RecordCursor cursor = shards.get(shardIndex).open(skips)) {
          RawRecord r;
          while ((r = cursor.next()) != null) {
            offset++;
            RawRecord out = shuffle.offer(r);
            if (out != null && ++emitted > skipUntil) {
              pending.add(out);
              if (pending.size() == group) {
                submit(mine(pending, bySample), new DataPosition(opt.epoch, shardIndex, offset, emitted));
                pending = new ArrayList<>(group);
              }
            }
          }
        }
      }
      int last = Math.max(0, shards.size() - 1);
      RawRecord out;
      while ((out = shuffle.drain()) != null) {
        if (++emitted > skipUntil) {
          pending.add(out);
          if (pending.size() == group) {
            submit(mine(pending, bySample), new DataPosition(opt.epoch, last, offset, emitted));
            pending = new ArrayList<>(group);
          }
        }
      }
      if (!pending.isEmpty() && !opt.dropLast) {
        List<RawRecord> tail = mine(pending, bySample);
        if (!tail.isEmpty()) {
          submit(tail, new DataPosition(opt.epoch, last, offset, emitted));
        }
      }
      ready.put(END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closed
    } catch (RuntimeException e) {
      try {
        ready.put(CompletableFuture.failedFuture(e));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** This rank's slice of a group: all of it (BY_SHARD) or its share of a global batch (BY_SAMPLE). */
  private List<RawRecord> mine(List<RawRecord> group, boolean bySample) {
    if (!bySample) {
      return group;
    }
    int n = group.size();
    int w = opt.worldSize;
    int from = n == opt.batchSize * w ? opt.rank * opt.batchSize : (int) ((long) n * opt.rank / w);
    int to = n == opt.batchSize * w ? from + opt.batchSize : (int) ((long) n * (opt.rank + 1) / w);
    return List.copyOf(group.subList(from, to));
  }

  private void submit(List<RawRecord> chunk, DataPosition pos) throws InterruptedException {
    ready.put(decoders.submit(() -> decode(chunk, pos)));
  }

  private HostBatch decode(List<RawRecord> records, DataPosition pos) {
    int s = opt.imageSize;
    int plane = s * s;
    float[] images = new float[records.size() * 3 * plane];
    int[] classes = opt.classes ? new int[records.size() * plane] : null;
    float[] depth = opt.depth ? new float[records.size() * plane] : null;
    List<String> keys = new ArrayList<>(records.size());
    List<String> texts = new ArrayList<>(records.size());
    for (RawRecord r : records) {
      try {
        Sample sample = SampleCodec.decode(r, opt.requireCaption);
        if (opt.classes && sample.classMap() == null || opt.depth && sample.depthMetres() == null) {
          throw new BadSampleException(SkipReason.MISSING_TARGET,
              "the loader needs " + (opt.classes ? "a class map " : "") + (opt.depth ? "a depth map" : ""));
        }
        int i = keys.size();
        SplittableRandom rnd = new SplittableRandom(Mixing.mix(opt.seed, opt.epoch, Mixing.key(r.key())));
        augmentation.apply(sample, rnd, images, i * 3 * plane, classes, depth, i * plane);
        keys.add(r.key());
        texts.add(captions.caption(sample));
      } catch (BadSampleException e) {
        skips.skip(r.shard(), r.key(), e.reason(), e.getMessage());
      } catch (RuntimeException e) {
        skips.skip(r.shard(), r.key(), SkipReason.CORRUPT_IMAGE, "unexpected decoding failure: " + e);
      }
    }
    int n = keys.size();
    return new HostBatch(
        n == records.size() ? images : Arrays.copyOf(images, n * 3 * plane),
        classes == null || n == records.size() ? classes : Arrays.copyOf(classes, n * plane),
        depth == null || n == records.size() ? depth : Arrays.copyOf(depth, n * plane),
        List.copyOf(keys), java.util.Collections.unmodifiableList(texts), pos);
  }

  /** Stops the reader and decoders; batches already returned stay valid until closed. */
  @Override
  public void close() {
    reader.interrupt();
    decoders.shutdownNow();
    ready.clear();
  }
}
