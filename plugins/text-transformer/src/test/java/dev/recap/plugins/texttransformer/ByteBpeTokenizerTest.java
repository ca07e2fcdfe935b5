package dev.recap.plugins.texttransformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A byte-level BPE tokenizer.json written by the test itself (nothing can be downloaded). */
class ByteBpeTokenizerTest {

  static final int START = 256 + 3; // after the 256 byte symbols and three merges
  static final int END = START + 1;

  /** GPT-2's byte-to-unicode table: every byte gets a printable symbol. */
  static List<String> byteSymbols() {
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) bs.add(b);
    for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
    for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
    List<Integer> cs = new ArrayList<>(bs);
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!bs.contains(b)) {
        bs.add(b);
        cs.add(256 + n++);
      }
    }
    String[] symbol = new String[256];
    for (int i = 0; i < bs.size(); i++) symbol[bs.get(i)] = new String(Character.toChars(cs.get(i)));
    return List.of(symbol);
  }

  static String json(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else sb.append(c);
    }
    return sb.append('"').toString();
  }

  static Path writeTokenizerJson(Path dir) throws IOException {
    List<String> symbols = byteSymbols();
    StringBuilder vocab = new StringBuilder();
    for (int b = 0; b < 256; b++) vocab.append(json(symbols.get(b))).append(':').append(b).append(',');
    vocab.append("\"re\":256,\"red\":257,\"Ġred\":258,\"<|startoftext|>\":").append(START).append(",\"<|endoftext|>\":").append(END);
    String special = "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true";
    String text = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
        + "\"added_tokens\":[{\"id\":" + START + ",\"content\":\"<|startoftext|>\"," + special + "},"
        + "{\"id\":" + END + ",\"content\":\"<|endoftext|>\"," + special + "}],"
        + "\"normalizer\":null,"
        + "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true},"
        + "\"post_processor\":null,"
        + "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},"
        + "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,"
        + "\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,"
        + "\"vocab\":{" + vocab + "},\"merges\":[\"r e\",\"re d\",\"Ġ red\"]}}";
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private static PluginConfig config(Path file) {
    return PluginConfig.of("preset", "text-tiny", "width", 32, "heads", 2, "context", 12, "tokenizer", file.toString());
  }

  @Test
  void encodesWithMergesSpecialTokensAndPadding(@TempDir Path dir) throws Exception {
    TextTokenizer tok = new TextTransformerEncoder().tokenizer(config(writeTokenizerJson(dir)), null);
    assertEquals(START, tok.startOfText());
    assertEquals(END, tok.endOfText());
    assertEquals(END + 1, tok.vocabSize());
    long[] ids = tok.encode("a red");
    // start, 'a', 'Ġred' (three merges applied), end, padding
    assertArrayEquals(new long[] {START, 'a', 258, END, 0, 0, 0, 0, 0, 0, 0, 0}, ids);
    assertEquals("a red", tok.decode(ids));
    assertEquals("héllo, red", tok.decode(tok.encode("héllo, red")), "byte-level BPE round-trips any UTF-8 text");
    long[] truncated = tok.encode("red red red red red red red red red red red red red");
    assertEquals(12, truncated.length);
    assertEquals(END, truncated[11]);
  }

  @Test
  void savedTokenizerLoadsAndDrivesATower(@TempDir Path dir) throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    PluginConfig cfg = config(writeTokenizerJson(dir));
    TextTokenizer tok = enc.tokenizer(cfg, null);
    Path saved = dir.resolve("saved");
    tok.save(saved);
    TextTokenizer back = enc.loadTokenizer(saved);
    assertArrayEquals(tok.encode("a red square"), back.encode("a red square"));
    TextTower tower = enc.build(cfg, back);
    try (NDManager m = NDManager.newBaseManager()) {
      tower.block().initialize(m, DataType.FLOAT32, new Shape(1, 12));
      var out = tower.block().forward(new ParameterStore(m, false),
          new NDList(m.create(new long[][] {back.encode("a red"), back.encode("red red")})), false).singletonOrThrow();
      assertEquals(new Shape(2, 32), out.getShape());
    }
  }

  @Test
  void missingFileAndUnknownSpecialTokenAreNamed(@TempDir Path dir) throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    IOException missing = assertThrows(IOException.class, () -> enc.tokenizer(config(dir.resolve("nope.json")), null));
    assertTrue(missing.getMessage().contains("nope.json"), missing.getMessage());
    PluginConfig bad = config(writeTokenizerJson(dir)).with("end_token", "</s>");
    IOException e = assertThrows(IOException.class, () -> enc.tokenizer(bad, null));
    assertTrue(e.getMessage().contains("</s>") && e.getMessage().contains("end_token"), e.getMessage());
  }
}
