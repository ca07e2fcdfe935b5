package dev.recap.api.caption;

import dev.recap.api.Extensions;
import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Extension point: writes captions for a batch of images.
 *
 * <p>Guarantees every implementation must keep (checked by the conformance kit): one
 * {@link Caption} per request, in order, with the request's key; the same output for the same
 * inputs, state and seed; a caption is never empty without a reason.
 */
public interface Captioner extends NamedPlugin {

  /**
   * Prepares a captioner instance for a configuration (and trained state, if any).
   *
   * @param extensions the host's other extensions (e.g. the image encoder a learned captioner
   *     builds on)
   */
  Session open(PluginConfig config, long seed, Extensions extensions) throws IOException;

  /** Whether {@link Session#train} does anything. */
  default boolean trainable() {
    return false;
  }

  /** A configured captioner; not required to be thread-safe. */
  interface Session extends AutoCloseable {

    List<Caption> caption(List<CaptionRequest> batch);

    /** Trains from requests whose {@code sourceCaption} is a good reference caption. */
    default void train(List<CaptionRequest> references) {
      throw new UnsupportedOperationException("this captioner is not trainable");
    }

    /**
     * As {@link #train(List)}, telling {@code progress} after each training step. The default
     * ignores it, for captioners whose training is not made of steps; a captioner that trains for
     * minutes should report, so that the host can show progress and a loss curve.
     */
    default void train(List<CaptionRequest> references, TrainingProgress progress) {
      train(references);
    }

    /** Saves trained state so that {@code open(config.with("state", dir), ...)} restores it. */
    default void save(Path directory) throws IOException {}

    @Override
    default void close() {}
  }

  /** What a trainable captioner reports while it trains. */
  @FunctionalInterface
  interface TrainingProgress {

    /**
     * Step {@code step} (1-based) of {@code steps} finished with training loss {@code loss} (NaN
     * for a skipped step).
     */
    void step(int step, int steps, double loss);
  }
}
