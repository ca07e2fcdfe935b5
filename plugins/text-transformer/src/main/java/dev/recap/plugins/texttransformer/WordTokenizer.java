package dev.recap.plugins.texttransformer;

import dev.recap.api.encoder.TextTokenizer;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in tokenizer: a lower-cased word-level vocabulary (words and single punctuation
 * marks) trained from a caption corpus, with {@code <unk>} for everything else. Lets synthetic
 * captions train without downloading a BPE vocabulary.
 *
 * <p>Saved as {@code vocab.txt} (one token a line, line number = id) and {@code tokenizer.properties}.
 */
public final class WordTokenizer implements TextTokenizer {

  static final String TYPE = "word";
  static final String PAD = "<pad>";
  static final String UNK = "<unk>";
  static final String START = "<start>";
  static final String END = "<end>";
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]");

  private final List<String> vocab;
  private final Map<String, Integer> ids = new HashMap<>();
  private final int contextLength;

  private WordTokenizer(List<String> vocab, int contextLength) {
    if (contextLength < 3) {
      throw new IllegalArgumentException("context length must be at least 3 (start, one token, end), got " + contextLength);
    }
    this.vocab = List.copyOf(vocab);
    this.contextLength = contextLength;
    for (int i = 0; i < vocab.size(); i++) {
      ids.put(vocab.get(i), i);
    }
  }

  /**
   * Trains a vocabulary: the {@code maxVocab - 4} most frequent words seen at least {@code minCount}
   * times (ties broken alphabetically, so training is deterministic).
   */
  public static WordTokenizer train(Iterable<String> corpus, int maxVocab, int minCount, int contextLength) {
    Map<String, Integer> counts = new HashMap<>();
    for (String caption : corpus) {
      for (String w : words(caption)) {
        counts.merge(w, 1, Integer::sum);
      }
    }
    List<String> vocab = new ArrayList<>(List.of(PAD, UNK, START, END));
    counts.entrySet().stream()
        .filter(e -> e.getValue() >= minCount)
        .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed().thenComparing(Map.Entry::getKey))
        .limit(Math.max(0, maxVocab - vocab.size()))
        .forEach(e -> vocab.add(e.getKey()));
    return new WordTokenizer(vocab, contextLength);
  }

  /** Loads a tokenizer saved with {@link #save}. */
  public static WordTokenizer load(Path directory, int contextLength) throws IOException {
    Path file = directory.resolve("vocab.txt");
    if (!Files.isRegularFile(file)) {
      throw new IOException("no word vocabulary at " + file + "; save one with WordTokenizer.save");
    }
    List<String> vocab = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (vocab.size() < 4 || !vocab.subList(0, 4).equals(List.of(PAD, UNK, START, END))) {
      throw new IOException(file + " must start with the lines " + PAD + ", " + UNK + ", " + START + ", " + END);
    }
    return new WordTokenizer(vocab, contextLength);
  }

  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  @Override
  public int contextLength() {
    return contextLength;
  }

  @Override
  public long[] encode(String text) {
    long[] out = new long[contextLength]; // zero-filled: PAD is id 0
    out[0] = startOfText();
    int n = 1;
    for (String w : words(text)) {
      if (n == contextLength - 1) {
        break;
      }
      out[n++] = ids.getOrDefault(w, 1);
    }
    out[n] = endOfText();
    return out;
  }

  @Override
  public String decode(long[] tokens) {
    StringBuilder sb = new StringBuilder();
    for (long id : tokens) {
      if (id == endOfText()) {
        break;
      }
      if (id < 4 && id != 1 || id >= vocab.size()) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(vocab.get((int) id));
    }
    return sb.toString();
  }

  @Override
  public long endOfText() {
    return 3;
  }

  @Override
  public long startOfText() {
    return 2;
  }

  @Override
  public long padding() {
    return 0;
  }

  @Override
  public void save(Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.write(directory.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
    Properties p = new Properties();
    p.setProperty("type", TYPE);
    p.setProperty("context", Integer.toString(contextLength));
    try (Writer w = Files.newBufferedWriter(directory.resolve(TextTransformerEncoder.PROPERTIES), StandardCharsets.UTF_8)) {
      p.store(w, "text-transformer tokenizer");
    }
  }
}
