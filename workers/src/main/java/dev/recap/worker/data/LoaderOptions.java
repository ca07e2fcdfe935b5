package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.util.Objects;

/**
 * What a {@link BatchLoader} loads and how; built with {@link #builder()}. Every option has a
 * default except the seed (0) and epoch (0), which callers normally set.
 */
public final class LoaderOptions {

  final int batchSize;
  final int imageSize;
  final int threads;
  final int prefetch;
  final int shuffleBuffer;
  final boolean augment;
  final AugmentPolicy augmentPolicy;
  final long seed;
  final int epoch;
  final int rank;
  final int worldSize;
  final boolean classes;
  final boolean depth;
  final boolean requireCaption;
  final String captionSource;
  final CaptionOverrides overrides;
  final double curatedProbability;
  final DataPosition resumeFrom;
  final boolean dropLast;
  final RankSplit split;

  private LoaderOptions(Builder b) {
    batchSize = b.batchSize;
    imageSize = b.imageSize;
    threads = b.threads;
    prefetch = b.prefetch;
    shuffleBuffer = b.shuffleBuffer;
    augment = b.augment;
    augmentPolicy = b.augmentPolicy;
    seed = b.seed;
    epoch = b.epoch;
    rank = b.rank;
    worldSize = b.worldSize;
    classes = b.classes;
    depth = b.depth;
    requireCaption = b.requireCaption;
    captionSource = b.captionSource;
    overrides = b.overrides;
    curatedProbability = b.curatedProbability;
    resumeFrom = b.resumeFrom;
    dropLast = b.dropLast;
    split = b.split;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int batchSize() {
    return batchSize;
  }

  public int imageSize() {
    return imageSize;
  }

  /** Builds {@link LoaderOptions}; setters fail fast with a message naming the option. */
  public static final class Builder {
    private int batchSize = 32;
    private int imageSize = 64;
    private int threads = 1;
    private int prefetch = 4;
    private int shuffleBuffer = 256;
    private boolean augment = true;
    private AugmentPolicy augmentPolicy = AugmentPolicy.openClip();
    private long seed;
    private int epoch;
    private int rank;
    private int worldSize = 1;
    private boolean classes;
    private boolean depth;
    private boolean requireCaption = true;
    private String captionSource = Sample.ALT;
    private CaptionOverrides overrides = CaptionOverrides.none();
    private double curatedProbability;
    private DataPosition resumeFrom;
    private boolean dropLast;
    private RankSplit split = RankSplit.BY_SAMPLE;

    private Builder() {}

    private static int positive(String option, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(option + " must be > 0, got " + v);
      }
      return v;
    }

    /** Samples per batch (default 32); a batch is smaller when samples were skipped or at the epoch's end. */
    public Builder batchSize(int v) {
      batchSize = positive("batchSize", v);
      return this;
    }

    /** Output edge in pixels (default 64). */
    public Builder imageSize(int v) {
      imageSize = positive("imageSize", v);
      return this;
    }

    /** Decoding and augmentation threads (default 1). */
    public Builder threads(int v) {
      threads = positive("threads", v);
      return this;
    }

    /** Batches decoded ahead of the consumer, at most (default 4). */
    public Builder prefetch(int v) {
      prefetch = positive("prefetch", v);
      return this;
    }

    /** Shuffle buffer capacity in samples (default 256; 1 = shard order). */
    public Builder shuffleBuffer(int v) {
      shuffleBuffer = positive("shuffleBuffer", v);
      return this;
    }

    /** Augment at random as {@link #augmentPolicy} says (default true); false only resizes. */
    public Builder augment(boolean v) {
      augment = v;
      return this;
    }

    /** Crop scale and flip when augmenting (default {@link AugmentPolicy#openClip()}: 90-100% area, no flip). */
    public Builder augmentPolicy(AugmentPolicy v) {
      augmentPolicy = Objects.requireNonNull(v, "augmentPolicy");
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder epoch(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("epoch must be >= 0, got " + v);
      }
      epoch = v;
      return this;
    }

    /** This loader's data-parallel rank among {@code worldSize} (default 0 of 1). */
    public Builder rank(int rank, int worldSize) {
      if (worldSize <= 0 || rank < 0 || rank >= worldSize) {
        throw new IllegalArgumentException("rank must be in [0, worldSize), got rank=" + rank + " worldSize=" + worldSize);
      }
      this.rank = rank;
      this.worldSize = worldSize;
      return this;
    }

    /** Whether batches carry class targets; samples without a class map are skipped (default false). */
    public Builder classes(boolean v) {
      classes = v;
      return this;
    }

    /** Whether batches carry depth targets; samples without depth are skipped (default false). */
    public Builder depth(boolean v) {
      depth = v;
      return this;
    }

    /** Whether samples without a caption are skipped (default true; false for dense sets). */
    public Builder requireCaption(boolean v) {
      requireCaption = v;
      return this;
    }

    /** Which caption source is the original caption (default {@link Sample#ALT}). */
    public Builder captionSource(String v) {
      captionSource = Objects.requireNonNull(v, "captionSource");
      return this;
    }

    /** Curated captions and the probability of using one instead of the original (default none, 0). */
    public Builder curatedCaptions(CaptionOverrides overrides, double probability) {
      if (!(probability >= 0 && probability <= 1)) {
        throw new IllegalArgumentException("curated caption probability must be in [0, 1], got " + probability);
      }
      this.overrides = Objects.requireNonNull(overrides, "overrides");
      this.curatedProbability = probability;
      return this;
    }

    /** Continue an epoch from a checkpointed position (its epoch replaces {@link #epoch}). */
    public Builder resumeFrom(DataPosition v) {
      resumeFrom = v;
      if (v != null) {
        epoch = v.epoch();
      }
      return this;
    }

    /** How ranks divide the epoch (default {@link RankSplit#BY_SAMPLE}). */
    public Builder split(RankSplit v) {
      split = Objects.requireNonNull(v, "split");
      return this;
    }

    /** Drop the epoch's last partial (global) batch (default false). */
    public Builder dropLast(boolean v) {
      dropLast = v;
      return this;
    }

    public LoaderOptions build() {
      return new LoaderOptions(this);
    }
  }
}
