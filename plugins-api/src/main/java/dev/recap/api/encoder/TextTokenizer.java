package dev.recap.api.encoder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns captions into fixed-length token id sequences for a {@link TextTower}.
 *
 * <p>{@link #encode} returns exactly {@link #contextLength()} ids: a start token, the text's
 * tokens (truncated to fit), an end-of-text token, then padding. Deterministic and thread-safe.
 */
public interface TextTokenizer {

  int vocabSize();

  int contextLength();

  /** Ids, always {@link #contextLength()} long, start and end-of-text tokens included. */
  long[] encode(String text);

  /** The text of ids, special tokens and padding dropped. */
  String decode(long[] ids);

  /** The id of the end-of-text token. */
  long endOfText();

  /** The id of the start token. */
  long startOfText();

  /** The id used for padding after the end-of-text token. */
  long padding();

  /** Saves everything needed to rebuild this tokenizer with {@link TextEncoder#loadTokenizer}. */
  void save(Path directory) throws IOException;
}
