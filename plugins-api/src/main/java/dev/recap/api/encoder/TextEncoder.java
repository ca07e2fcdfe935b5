package dev.recap.api.encoder;

import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Extension point: a text encoder family and its tokenizer. */
public interface TextEncoder extends NamedPlugin {

  /**
   * Creates a tokenizer: loaded from a local {@code tokenizer.json} when the config names one
   * ({@code tokenizer: /path/tokenizer.json}), else trained from {@code corpus}.
   */
  TextTokenizer tokenizer(PluginConfig config, Iterable<String> corpus) throws IOException;

  /** Loads a tokenizer saved with {@link TextTokenizer#save}. */
  TextTokenizer loadTokenizer(Path directory) throws IOException;

  /** Builds a tower for the tokenizer's vocabulary and context length. */
  TextTower build(PluginConfig config, TextTokenizer tokenizer);

  /**
   * The name a tower parameter gets in exported weights (safetensors with OpenCLIP's names), given
   * its key in {@code tower.block().getParameters()}. The default keeps the key.
   */
  default String exportName(String parameterName) {
    return parameterName;
  }

  /**
   * The architecture of a tower built from {@code config} for {@code tokenizer}, as the exported
   * checkpoint's config file describes a text tower (e.g. OpenCLIP's {@code text_cfg}:
   * {@code context_length}, {@code vocab_size}, {@code width}, {@code heads}, {@code layers}).
   *
   * @param config a resolved configuration (see {@link NamedPlugin#resolve})
   * @return by default empty: the encoder's checkpoints carry no architecture description
   */
  default Map<String, Object> exportConfig(PluginConfig config, TextTokenizer tokenizer) {
    return Map.of();
  }
}
