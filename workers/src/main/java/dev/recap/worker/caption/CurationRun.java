package dev.recap.worker.caption;

import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.bus.CaptionSidecarRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Curates one shard: captions every sample with a captioner session in batches, optionally scores
 * the captions with an {@link ImageTextScorer} and drops those a {@link ScoreFilter} rejects, and
 * writes the survivors to one sidecar, atomically (see {@link SidecarWriter}).
 *
 * <p>Running it again on the same shard replaces the sidecar with the same content, so a task
 * retried after a worker died neither duplicates nor loses a caption. A top-fraction filter here
 * ranks the captions of this shard only.
 */
public final class CurationRun {

  private final Captioner.Session session;
  private final String captionerId;
  private final String captionerVersion;
  private final int batchSize;
  private final String sourceCaption;
  private final ImageTextScorer scorer;
  private final ScoreFilter filter;

  private CurationRun(Builder b) {
    this.session = b.session;
    this.captionerId = b.captionerId;
    this.captionerVersion = b.captionerVersion;
    this.batchSize = b.batchSize;
    this.sourceCaption = b.sourceCaption;
    this.scorer = b.scorer;
    this.filter = b.filter;
  }

  /**
   * A run with {@code session}, recording {@code captioner}'s id and version in every record.
   * Defaults: batch size 16, source caption {@link Sample#ALT}, no scorer, no filter.
   */
  public static Builder builder(Captioner.Session session, Captioner captioner) {
    return new Builder(session, captioner.id(), captioner.version());
  }

  /** As {@link #builder(Captioner.Session, Captioner)} with an explicit id and version. */
  public static Builder builder(Captioner.Session session, String captionerId, String captionerVersion) {
    return new Builder(session, captionerId, captionerVersion);
  }

  /**
   * Captions the shard and writes {@code sidecar}.
   *
   * @return this shard's statistics
   * @throws IllegalArgumentException if a sample key repeats in the shard
   * @throws IllegalStateException if the captioner breaks its contract (wrong count or keys)
   */
  public CurationStats run(Iterable<Sample> shard, Path sidecar) throws IOException {
    return run(shard, sidecar, null);
  }

  /**
   * As {@link #run(Iterable, Path)}, and when a filter is set also writes the captions it dropped,
   * with their scores, to {@code filteredSidecar} (same format, atomic too), so what the filter
   * removed can be audited; null writes none.
   */
  public CurationStats run(Iterable<Sample> shard, Path sidecar, Path filteredSidecar) throws IOException {
    Map<String, Caption> captions = new LinkedHashMap<>();
    Map<String, Float> scores = new LinkedHashMap<>();
    List<Sample> batch = new ArrayList<>(batchSize);
    long samples = 0;
    for (Sample s : shard) {
      samples++;
      if (captions.containsKey(s.key()) || batch.stream().anyMatch(b -> b.key().equals(s.key()))) {
        throw new IllegalArgumentException("sample key '" + s.key() + "' occurs twice in the shard; keys must be unique");
      }
      batch.add(s);
      if (batch.size() == batchSize) {
        captionBatch(batch, captions, scores);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      captionBatch(batch, captions, scores);
    }

    Set<String> kept = filter == null || scorer == null ? null : filter.keep(scores);
    long written = 0;
    long filtered = 0;
    long without = 0;
    long words = 0;
    double scoreSum = 0;
    double keptScoreSum = 0;
    Set<String> vocabulary = new TreeSet<>();
    try (SidecarWriter writer = SidecarWriter.open(sidecar);
        SidecarWriter dropped = kept == null || filteredSidecar == null ? null : SidecarWriter.open(filteredSidecar)) {
      for (Caption c : captions.values()) {
        if (!c.present()) {
          without++;
          continue;
        }
        Float score = scores.get(c.key());
        if (score != null) {
          scoreSum += score;
        }
        CaptionSidecarRecord record = CaptionSidecarRecord.newBuilder()
            .setKey(c.key())
            .setCaption(c.text())
            .setCaptionerId(captionerId)
            .setCaptionerVersion(captionerVersion)
            .setScore(score)
            .build();
        if (kept != null && !kept.contains(c.key())) {
          filtered++;
          if (dropped != null) {
            dropped.write(record);
          }
          continue;
        }
        writer.write(record);
        written++;
        if (score != null) {
          keptScoreSum += score;
        }
        List<String> tokens = CaptionMetrics.tokens(c.text());
        words += tokens.size();
        vocabulary.addAll(tokens);
      }
      if (dropped != null) {
        dropped.commit();
      }
      writer.commit();
    }
    return new CurationStats(samples, written, filtered, without, words, vocabulary, scores.size(), scoreSum, keptScoreSum);
  }

  private void captionBatch(List<Sample> batch, Map<String, Caption> captions, Map<String, Float> scores) {
    List<CaptionRequest> requests = new ArrayList<>(batch.size());
    for (Sample s : batch) {
      String source = s.captions() == null ? null : s.captions().get(sourceCaption);
      requests.add(new CaptionRequest(s.key(), s.image(), source, s.objects() == null ? List.of() : s.objects()));
    }
    List<Caption> out = session.caption(requests);
    if (out.size() != requests.size()) {
      throw new IllegalStateException("captioner " + captionerId + " returned " + out.size() + " captions for a batch of " + requests.size());
    }
    List<RgbImage> images = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      Caption c = out.get(i);
      if (!requests.get(i).key().equals(c.key())) {
        throw new IllegalStateException("captioner " + captionerId + " answered request '" + requests.get(i).key() + "' with key '" + c.key() + "'");
      }
      captions.put(c.key(), c);
      if (c.present()) {
        images.add(requests.get(i).image());
        texts.add(c.text());
        keys.add(c.key());
      }
    }
    if (scorer != null && !texts.isEmpty()) {
      float[] s = scorer.score(images, texts);
      if (s.length != texts.size()) {
        throw new IllegalStateException("image-text scorer returned " + s.length + " scores for " + texts.size() + " captions");
      }
      for (int i = 0; i < s.length; i++) {
        scores.put(keys.get(i), s[i]);
      }
    }
  }

  /** Options of a {@link CurationRun}; fails fast naming the option. */
  public static final class Builder {
    private final Captioner.Session session;
    private final String captionerId;
    private final String captionerVersion;
    private int batchSize = 16;
    private String sourceCaption = Sample.ALT;
    private ImageTextScorer scorer;
    private ScoreFilter filter;

    private Builder(Captioner.Session session, String captionerId, String captionerVersion) {
      this.session = Objects.requireNonNull(session, "session");
      this.captionerId = Objects.requireNonNull(captionerId, "captionerId");
      this.captionerVersion = Objects.requireNonNull(captionerVersion, "captionerVersion");
    }

    /** Images per call of the captioner (and the scorer). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** Which of a sample's captions reaches the captioner as {@code sourceCaption}. */
    public Builder sourceCaption(String source) {
      this.sourceCaption = Objects.requireNonNull(source, "sourceCaption");
      return this;
    }

    /** Scores every caption; the score is stored in the sidecar. */
    public Builder scorer(ImageTextScorer scorer) {
      this.scorer = Objects.requireNonNull(scorer, "scorer");
      return this;
    }

    /** Drops captions by score; needs a {@link #scorer}. */
    public Builder filter(ScoreFilter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    public CurationRun build() {
      if (filter != null && scorer == null) {
        throw new IllegalStateException("filter " + filter + " was set but no scorer: set scorer(...) to rank captions");
      }
      return new CurationRun(this);
    }
  }
}
