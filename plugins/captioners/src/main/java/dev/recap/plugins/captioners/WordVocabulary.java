package dev.recap.plugins.captioners;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The learned captioner's word-level vocabulary, built from the reference captions: ids 0..3 are
 * padding, start, end and unknown, then the words by descending frequency (ties alphabetical).
 * Captions are lower-cased; punctuation marks are kept as tokens of their own so a decoded
 * caption reads like the references.
 */
final class WordVocabulary {

  static final int PAD = 0;
  static final int START = 1;
  static final int END = 2;
  static final int UNKNOWN = 3;
  private static final List<String> SPECIAL = List.of("<pad>", "<start>", "<end>", "<unk>");

  private final List<String> words;
  private final Map<String, Integer> ids = new HashMap<>();

  private WordVocabulary(List<String> words) {
    this.words = List.copyOf(words);
    for (int i = 0; i < this.words.size(); i++) {
      ids.put(this.words.get(i), i);
    }
  }

  static List<String> split(String caption) {
    List<String> out = new ArrayList<>();
    for (String t : caption.toLowerCase(Locale.ROOT).replaceAll("([.,;:!?])", " $1 ").split("\\s+")) {
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  static WordVocabulary build(Iterable<String> captions, int minCount) {
    Map<String, Integer> counts = new HashMap<>();
    for (String c : captions) {
      for (String w : split(c)) {
        counts.merge(w, 1, Integer::sum);
      }
    }
    List<String> words = new ArrayList<>(SPECIAL);
    counts.entrySet().stream()
        .filter(e -> e.getValue() >= minCount)
        .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed().thenComparing(Map.Entry::getKey))
        .forEach(e -> words.add(e.getKey()));
    return new WordVocabulary(words);
  }

  int size() {
    return words.size();
  }

  /**
   * {@code length} ids: the start token, the caption's words (truncated to {@code length - 2}),
   * the end token, then padding.
   */
  long[] encode(String caption, int length) {
    long[] out = new long[length];
    out[0] = START;
    List<String> w = split(caption);
    int n = Math.min(w.size(), length - 2);
    for (int i = 0; i < n; i++) {
      out[i + 1] = ids.getOrDefault(w.get(i), UNKNOWN);
    }
    out[n + 1] = END;
    return out;
  }

  /** The caption of ids up to the first end token, special tokens dropped. */
  String decode(long[] ids) {
    StringBuilder sb = new StringBuilder();
    for (long id : ids) {
      if (id == END) {
        break;
      }
      if (id <= UNKNOWN || id >= words.size()) {
        continue;
      }
      String w = words.get((int) id);
      if (sb.length() > 0 && !w.matches("[.,;:!?]")) {
        sb.append(' ');
      }
      sb.append(w);
    }
    return sb.toString();
  }

  void save(Path file) throws IOException {
    Files.write(file, words, StandardCharsets.UTF_8);
  }

  static WordVocabulary load(Path file) throws IOException {
    List<String> words = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (words.size() < SPECIAL.size() || !words.subList(0, SPECIAL.size()).equals(SPECIAL)) {
      throw new IOException("vocabulary " + file + " does not start with " + SPECIAL + "; it was not written by the learned captioner");
    }
    return new WordVocabulary(words);
  }
}
