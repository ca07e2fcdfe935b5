package dev.recap.plugins.captioners;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Captioner;
import java.io.IOException;
import org.pf4j.Extension;

/**
 * The captioner {@code learned}: a small image-conditioned transformer decoder ({@link
 * CaptionDecoder}) on top of an {@code ImageEncoder} plugin's tower, trained in Recap from
 * reference captions with {@link Captioner.Session#train} (teacher forcing, cross-entropy, Adam),
 * decoding greedily or with beam search. {@link Captioner.Session#save} writes a state directory
 * that {@code open(config.with("state", dir), ...)} restores.
 *
 * <p>Config keys (defaults):
 *
 * <ul>
 *   <li>{@code encoder} (required): id of the image encoder plugin; keys {@code encoder.<k>} are
 *       handed to it as {@code <k>} (e.g. {@code encoder.preset: vit-tiny})
 *   <li>{@code encoderParameters}: a DJL parameter file of the encoder tower to start from (e.g. a
 *       CLIP-pretrained tower); {@code trainEncoder} (true): whether training updates the encoder
 *   <li>{@code imageSize} (64): images are resized to this square side
 *   <li>{@code width} (64), {@code layers} (2), {@code heads} (4), {@code maxLength} (16 tokens,
 *       start and end included): the decoder
 *   <li>{@code steps} (400), {@code batchSize} (32), {@code learningRate} (0.002), {@code
 *       minWordCount} (1): training
 *   <li>{@code decoding} ({@code greedy} or {@code beam}), {@code beamWidth} (4)
 *   <li>{@code state}: a directory written by {@code save}; its architecture wins over the config's
 * </ul>
 */
@Extension
public final class LearnedCaptioner implements Captioner {

  @Override
  public String id() {
    return "learned";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public boolean trainable() {
    return true;
  }

  @Override
  public Session open(PluginConfig config, long seed, Extensions extensions) throws IOException {
    return LearnedSession.open(config, seed, extensions);
  }
}
