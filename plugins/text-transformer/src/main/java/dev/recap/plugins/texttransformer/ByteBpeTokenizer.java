package dev.recap.plugins.texttransformer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.recap.api.encoder.TextTokenizer;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * A byte-level BPE tokenizer (CLIP's, GPT-2's, ...) loaded from a local HuggingFace
 * {@code tokenizer.json} through DJL's tokenizers binding. Start and end-of-text are the
 * tokenizer's own special tokens, named in the config; padding is id 0 as in OpenCLIP (harmless:
 * the causal mask keeps positions after end-of-text out of the pooled output).
 */
public final class ByteBpeTokenizer implements TextTokenizer {

  static final String TYPE = "huggingface";

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final int contextLength;
  private final String startToken;
  private final String endToken;
  private final long start;
  private final long end;
  private final int vocabSize;

  private ByteBpeTokenizer(Path file, int contextLength, String startToken, String endToken, int vocabSize) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("tokenizer file not found: " + file + " (config key 'tokenizer' must name a local tokenizer.json)");
    }
    this.file = file;
    this.tokenizer = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    this.contextLength = contextLength;
    this.startToken = startToken;
    this.endToken = endToken;
    this.start = specialId(startToken);
    this.end = specialId(endToken);
    this.vocabSize = vocabSize > 0 ? vocabSize : Math.toIntExact(Math.max(start, end) + 1);
    if (Math.max(start, end) >= this.vocabSize) {
      throw new IOException(file + ": special token ids " + start + "/" + end + " do not fit vocab_size " + this.vocabSize);
    }
  }

  /**
   * @param vocabSize the embedding table size; {@code <= 0} to use the largest special id + 1
   *     (CLIP's end-of-text is its last id)
   */
  public static ByteBpeTokenizer load(Path tokenizerJson, int contextLength, String startToken, String endToken, int vocabSize)
      throws IOException {
    return new ByteBpeTokenizer(tokenizerJson, contextLength, startToken, endToken, vocabSize);
  }

  private long specialId(String token) throws IOException {
    long[] ids = tokenizer.encode(token, false, false).getIds();
    if (ids.length != 1) {
      throw new IOException(file + ": '" + token + "' is not a single special token (got ids "
          + java.util.Arrays.toString(ids) + "); set config keys start_token/end_token to the tokenizer's own");
    }
    return ids[0];
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int contextLength() {
    return contextLength;
  }

  @Override
  public long[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    long[] out = new long[contextLength];
    out[0] = start;
    int n = Math.min(ids.length, contextLength - 2);
    System.arraycopy(ids, 0, out, 1, n);
    out[n + 1] = end;
    return out;
  }

  @Override
  public String decode(long[] ids) {
    int n = 0;
    long[] kept = new long[ids.length];
    for (long id : ids) {
      if (id == end) {
        break;
      }
      if (id != start) {
        kept[n++] = id;
      }
    }
    return tokenizer.decode(java.util.Arrays.copyOf(kept, n), true).trim();
  }

  @Override
  public long endOfText() {
    return end;
  }

  @Override
  public long startOfText() {
    return start;
  }

  @Override
  public long padding() {
    return 0;
  }

  @Override
  public void save(Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.copy(file, directory.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    Properties p = new Properties();
    p.setProperty("type", TYPE);
    p.setProperty("context", Integer.toString(contextLength));
    p.setProperty("start_token", startToken);
    p.setProperty("end_token", endToken);
    p.setProperty("vocab_size", Integer.toString(vocabSize));
    try (Writer w = Files.newBufferedWriter(directory.resolve(TextTransformerEncoder.PROPERTIES), StandardCharsets.UTF_8)) {
      p.store(w, "text-transformer tokenizer");
    }
  }
}
