package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decodes chosen samples of a {@link ShardIndex} into training rows the way {@link BatchLoader}
 * does: the same augmentation drawn from (seed, epoch, key) and the same caption choice
 * ({@link CaptionMixer}, from (seed, key)). A row therefore depends only on the sample and the
 * epoch, not on which rank or how many ranks decode it.
 */
public final class PairRows {

  /**
   * Decoded rows, in request order without the bad samples.
   *
   * @param images CHW floats of the good samples, {@code keys.size() x 3 x size x size}
   * @param skipped keys of the requested samples that could not be decoded, with the reason
   */
  public record Rows(float[] images, int size, List<String> keys, List<String> captions, List<String> skipped) {}

  private final ShardIndex index;
  private final Augmentation augmentation;
  private final CaptionMixer captions;
  private final long seed;
  private final SkipReport skips = new SkipReport();

  /**
   * @param augment the training augmentation; null only resizes
   * @param curated curated captions by key (use {@link CaptionOverrides#none()} for none)
   * @param curatedProbability chance of training on a sample's curated caption instead of its original
   */
  public PairRows(ShardIndex index, int imageSize, AugmentPolicy augment, CaptionOverrides curated, double curatedProbability,
      long seed) {
    this.index = index;
    this.augmentation = augment == null ? Augmentation.resizeOnly(imageSize) : new Augmentation(imageSize, true, augment);
    this.captions = new CaptionMixer(Sample.ALT, curated, curatedProbability, seed);
    this.seed = seed;
  }

  /** Every sample skipped so far, by reason. */
  public SkipReport skips() {
    return skips;
  }

  /** Decodes samples {@code samples} (index numbers) for {@code epoch}. */
  public Rows decode(int[] samples, long epoch) {
    int s = augmentation.size();
    int plane = 3 * s * s;
    float[] images = new float[samples.length * plane];
    List<String> keys = new ArrayList<>(samples.length);
    List<String> texts = new ArrayList<>(samples.length);
    List<String> skipped = new ArrayList<>();
    for (int i : samples) {
      RawRecord r = index.read(i);
      try {
        Sample sample = SampleCodec.decode(r, true);
        SplittableRandom rnd = new SplittableRandom(Mixing.mix(seed, epoch, Mixing.key(r.key())));
        augmentation.apply(sample, rnd, images, keys.size() * plane, null, null, 0);
        keys.add(r.key());
        texts.add(captions.caption(sample));
      } catch (BadSampleException e) {
        skips.skip(r.shard(), r.key(), e.reason(), e.getMessage());
        skipped.add(r.key() + " (" + e.getMessage() + ")");
      } catch (RuntimeException e) {
        skips.skip(r.shard(), r.key(), SkipReason.CORRUPT_IMAGE, "unexpected decoding failure: " + e);
        skipped.add(r.key() + " (" + e + ")");
      }
    }
    float[] out = keys.size() == samples.length ? images : Arrays.copyOf(images, keys.size() * plane);
    return new Rows(out, s, List.copyOf(keys), List.copyOf(texts), List.copyOf(skipped));
  }
}
