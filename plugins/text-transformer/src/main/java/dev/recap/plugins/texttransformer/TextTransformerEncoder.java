package dev.recap.plugins.texttransformer;

import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.Gelu;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.pf4j.Extension;

/**
 * The {@code text-transformer} extension: CLIP's causal text transformer.
 *
 * <p>Config keys: {@code width} (512), {@code depth} (12), {@code heads} (8), {@code mlp_ratio}
 * (4), {@code context} (77), {@code activation} ({@code gelu}, or {@code quick_gelu} for OpenAI
 * CLIP checkpoints). Tokenizer keys: {@code tokenizer} (path of a local
 * {@code tokenizer.json}; absent = train the built-in word tokenizer), {@code start_token}
 * ({@code <|startoftext|>}), {@code end_token} ({@code <|endoftext|>}), {@code vocab_size}
 * (embedding rows for a tokenizer.json; default largest special id + 1), {@code vocab} (4096,
 * built-in vocabulary size), {@code min_count} (1). Presets {@code text-tiny} and
 * {@code clip-base} (OpenCLIP ViT-B text tower: width 512, depth 12, heads 8, context 77).
 */
@Extension
public final class TextTransformerEncoder implements TextEncoder {

  static final String PROPERTIES = "tokenizer.properties";

  private static final Map<String, PluginConfig> PRESETS = Map.of(
      "text-tiny", PluginConfig.of("width", 128, "depth", 2, "heads", 4, "context", 32, "vocab", 4096),
      "clip-base", PluginConfig.of("width", 512, "depth", 12, "heads", 8, "context", 77, "vocab_size", 49408));

  @Override
  public String id() {
    return "text-transformer";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Map<String, PluginConfig> presets() {
    return PRESETS;
  }

  @Override
  public TextTokenizer tokenizer(PluginConfig config, Iterable<String> corpus) throws IOException {
    PluginConfig c = resolve(config);
    int context = positive(c, "context", 77);
    if (c.has("tokenizer")) {
      return ByteBpeTokenizer.load(Path.of(c.requireString("tokenizer")), context,
          c.getString("start_token", "<|startoftext|>"), c.getString("end_token", "<|endoftext|>"), c.getInt("vocab_size", 0));
    }
    if (corpus == null) {
      throw new IllegalArgumentException("text-transformer: no 'tokenizer' path in the config and no caption corpus to train one from");
    }
    return WordTokenizer.train(corpus, positive(c, "vocab", 4096), positive(c, "min_count", 1), context);
  }

  @Override
  public TextTokenizer loadTokenizer(Path directory) throws IOException {
    Path file = directory.resolve(PROPERTIES);
    if (!Files.isRegularFile(file)) {
      throw new IOException("no " + PROPERTIES + " in " + directory + "; save the tokenizer with TextTokenizer.save first");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    String type = p.getProperty("type", "");
    int context = Integer.parseInt(p.getProperty("context", "77"));
    return switch (type) {
      case WordTokenizer.TYPE -> WordTokenizer.load(directory, context);
      case ByteBpeTokenizer.TYPE -> ByteBpeTokenizer.load(directory.resolve("tokenizer.json"), context,
          p.getProperty("start_token"), p.getProperty("end_token"), Integer.parseInt(p.getProperty("vocab_size", "0")));
      default -> throw new IOException(file + ": unknown tokenizer type '" + type + "' (expected word or huggingface)");
    };
  }

  @Override
  public TextTower build(PluginConfig config, TextTokenizer tokenizer) {
    CausalTextTransformer block = block(config, tokenizer);
    return new TextTower(block, block.width(), block.contextLength());
  }

  /** The block itself, for callers that want its parameter count or OpenCLIP names. */
  public CausalTextTransformer block(PluginConfig config, TextTokenizer tokenizer) {
    PluginConfig c = resolve(config);
    return new CausalTextTransformer(tokenizer.vocabSize(), tokenizer.contextLength(), positive(c, "width", 512),
        positive(c, "depth", 12), positive(c, "heads", 8), positive(c, "mlp_ratio", 4), tokenizer.endOfText(),
        Gelu.of(c.getString(Gelu.CONFIG_KEY, null)));
  }

  /**
   * OpenCLIP's {@code text_cfg}: {@code context_length} and {@code vocab_size} (the tokenizer's),
   * {@code width}, {@code heads}, {@code layers}, {@code mlp_ratio}. This tower pools at the first
   * end-of-text token; OpenCLIP's default pools at the largest token id, the same position for
   * CLIP's tokenizer (end-of-text is its last id), so only a tokenizer whose end-of-text id is not
   * its last (the built-in word tokenizer) adds {@code pool_type: eos} and {@code eos_id}. The
   * activation is not part of it: OpenCLIP sets {@code quick_gelu} for the whole model.
   */
  @Override
  public Map<String, Object> exportConfig(PluginConfig config, TextTokenizer tokenizer) {
    CausalTextTransformer t = block(config, tokenizer);
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("context_length", t.contextLength());
    cfg.put("vocab_size", t.vocabSize());
    cfg.put("width", t.width());
    cfg.put("heads", t.heads());
    cfg.put("layers", t.depth());
    cfg.put("mlp_ratio", (double) t.mlpRatio());
    if (tokenizer.endOfText() != tokenizer.vocabSize() - 1) {
      cfg.put("pool_type", "eos");
      cfg.put("eos_id", tokenizer.endOfText());
    }
    return cfg;
  }

  /** Parameters are already named as in OpenCLIP's text tower. */
  @Override
  public String exportName(String parameterName) {
    return parameterName;
  }

  private static int positive(PluginConfig c, String key, int def) {
    int v = c.getInt(key, def);
    if (v <= 0) {
      throw new IllegalArgumentException("text-transformer config key '" + key + "' must be positive, got " + v);
    }
    return v;
  }
}
