package dev.recap.worker.train;

import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.PairRows;
import dev.recap.worker.data.ShardIndex;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The fixed global batches of a gang run over WebDataset shards. Each epoch visits the samples
 * of all shards in a permutation seeded by (seed, epoch); step {@code s} of the epoch trains
 * positions {@code [s*B, (s+1)*B)} of it. The last {@code samples mod B} positions of a
 * permutation are not trained in that epoch (drop-last: every step has the full global batch, so
 * the gang's lock-step never meets a short batch); a different permutation drops others next
 * epoch.
 *
 * <p>A rank reads only the rows of its slice, by position in the shards ({@link ShardIndex}):
 * the shards are shared by sample, not by whole shard, because a rank's rows of a step come from
 * every shard (what makes the batch independent of N). Rows are decoded as
 * {@link dev.recap.worker.data.BatchLoader} would (augmentation from seed, epoch and key; the
 * curated caption with the run's probability). Keys are {@code epoch-E/<sample key>}, so
 * per-epoch accounting can count them. A sample that cannot be decoded is left out of its step
 * (reported through {@code skipped}); a slice with no good sample fails the step.
 */
public final class ShardPairs implements GlobalBatches {

  private final ShardIndex index;
  private final PairRows rows;
  private final TextTokenizer tokenizer;
  private final int globalBatch;
  private final long seed;
  private final Consumer<String> skipped;
  private long cachedEpoch = -1;
  private int[] cachedOrder;
  private Map<String, Integer> sampleNumbers;
  private long positionsEpoch = -1;
  private int[] positions;

  /**
   * @param skipped told about each sample left out (key and reason)
   * @throws IllegalArgumentException if the shards hold fewer samples than one global batch
   */
  public ShardPairs(ShardIndex index, PairRows rows, TextTokenizer tokenizer, int globalBatch, long seed,
      Consumer<String> skipped) {
    if (globalBatch < 1 || index.size() < globalBatch) {
      throw new IllegalArgumentException("the shards " + index.shards() + " hold " + index.size()
          + " samples, fewer than one global batch of " + globalBatch + ": lower batchSize or add shards");
    }
    this.index = index;
    this.rows = rows;
    this.tokenizer = tokenizer;
    this.globalBatch = globalBatch;
    this.seed = seed;
    this.skipped = skipped;
  }

  @Override
  public int globalBatch() {
    return globalBatch;
  }

  /** Samples over all shards. */
  public int samples() {
    return index.size();
  }

  /** Whole global batches per epoch. */
  public long stepsPerEpoch() {
    return index.size() / globalBatch;
  }

  /** Steps of a run of {@code epochs} epochs, capped by {@code maxSteps} (0: no cap). */
  public long totalSteps(int epochs, long maxSteps) {
    long total = stepsPerEpoch() * Math.max(1, epochs);
    return maxSteps > 0 ? Math.min(total, maxSteps) : total;
  }

  @Override
  public ClipBatch rows(long step, int from, int to) {
    long epoch = step / stepsPerEpoch();
    int[] order = permutation(epoch);
    int base = (int) ((step % stepsPerEpoch()) * globalBatch);
    int[] samples = new int[to - from];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = order[base + from + i];
    }
    PairRows.Rows r = rows.decode(samples, epoch);
    r.skipped().forEach(k -> skipped.accept("step " + step + ": sample " + k + " left out"));
    if (r.keys().isEmpty()) {
      throw new IllegalStateException("step " + step + ": none of rows [" + from + ", " + to + ") could be decoded: "
          + r.skipped());
    }
    long[][] tokens = new long[r.keys().size()][];
    java.util.List<String> keys = new java.util.ArrayList<>(tokens.length);
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = tokenizer.encode(r.captions().get(i));
      keys.add("epoch-" + epoch + "/" + r.keys().get(i));
    }
    return new ClipBatch(r.images(), r.size(), r.size(), tokens, keys);
  }

  /**
   * The step that trains {@code key} (a key of {@link #rows}: {@code epoch-E/<sample key>}).
   *
   * @throws IllegalArgumentException if no step of this run trains it
   */
  public long stepOf(String key) {
    int slash = key.indexOf('/');
    if (!key.startsWith("epoch-") || slash < 0) {
      throw new IllegalArgumentException("'" + key + "' is not a key of a gang run (epoch-E/<sample key>)");
    }
    long epoch = Long.parseLong(key.substring("epoch-".length(), slash));
    Integer sample = sampleNumbers().get(key.substring(slash + 1));
    if (sample == null) {
      throw new IllegalArgumentException("'" + key + "': no sample of that key in " + index.shards());
    }
    long step = positions(epoch)[sample] / globalBatch;
    if (step >= stepsPerEpoch()) {
      throw new IllegalArgumentException("'" + key + "' is left out of its epoch (drop-last)");
    }
    return epoch * stepsPerEpoch() + step;
  }

  /** Sample number -> its position in the epoch's permutation. */
  private synchronized int[] positions(long epoch) {
    if (epoch != positionsEpoch) {
      int[] order = permutation(epoch);
      int[] at = new int[order.length];
      for (int position = 0; position < order.length; position++) {
        at[order[position]] = position;
      }
      positions = at;
      positionsEpoch = epoch;
    }
    return positions;
  }

  private synchronized Map<String, Integer> sampleNumbers() {
    if (sampleNumbers == null) {
      Map<String, Integer> numbers = new HashMap<>();
      for (int i = 0; i < index.size(); i++) {
        numbers.putIfAbsent(index.key(i), i);
      }
      sampleNumbers = numbers;
    }
    return sampleNumbers;
  }

  private synchronized int[] permutation(long epoch) {
    if (epoch != cachedEpoch) {
      int n = index.size();
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Random random = new Random(seed * 31 + epoch);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }
}
