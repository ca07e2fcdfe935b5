package dev.recap.worker.train;

import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.Gelu;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.node.PermanentTaskFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What travels beside a CLIP checkpoint's safetensors file, as the OpenCLIP and MobileCLIP
 * ecosystems lay it out (a Hugging Face model repository holds {@code open_clip_model.safetensors},
 * {@code open_clip_config.json} and {@code tokenizer.json} side by side):
 *
 * <ul>
 *   <li>the model config, {@value #OPENCLIP_CONFIG} (OpenCLIP's {@code {model_cfg: {embed_dim,
 *       quick_gelu, vision_cfg, text_cfg}, preprocess_cfg: {mean, std}}}; a bare model config as in
 *       OpenCLIP's {@code model_configs/} is read too) or {@value #MOBILECLIP_CONFIG}. Recap reads
 *       one thing from it: {@code quick_gelu}, which it applies to both towers ({@link Gelu});
 *   <li>the tokenizer: Recap's own saved tokenizer in {@value #RECAP_TOKENIZER}/ (what
 *       {@code recap export} writes), else a Hugging Face {@value #HF_TOKENIZER} with CLIP's special
 *       tokens ({@code <|startoftext|>}, {@code <|endoftext|>}) and the config's
 *       {@code text_cfg.vocab_size}.
 * </ul>
 */
public final class CheckpointFiles {

  /** OpenCLIP's model config file name. */
  public static final String OPENCLIP_CONFIG = "open_clip_config.json";
  /** The model config Recap writes beside a MobileCLIP-layout export. */
  public static final String MOBILECLIP_CONFIG = "mobileclip_config.json";
  /** Recap's saved tokenizer, beside an export. */
  public static final String RECAP_TOKENIZER = "tokenizer";
  /** A Hugging Face tokenizer file. */
  public static final String HF_TOKENIZER = "tokenizer.json";

  private final Path checkpoint;

  private CheckpointFiles(Path checkpoint) {
    this.checkpoint = checkpoint;
  }

  /** The files beside {@code checkpoint}. */
  public static CheckpointFiles of(Path checkpoint) {
    return new CheckpointFiles(checkpoint.toAbsolutePath());
  }

  public Path checkpoint() {
    return checkpoint;
  }

  /** The model config beside the checkpoint, if there is one. */
  public Optional<Path> configFile() {
    for (String name : new String[] {OPENCLIP_CONFIG, MOBILECLIP_CONFIG}) {
      Path p = checkpoint.resolveSibling(name);
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The config's JSON, or an empty object when there is none. */
  public JsonObject config() throws IOException {
    Optional<Path> file = configFile();
    if (file.isEmpty()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(Files.readString(file.get(), StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      throw new IOException(file.get() + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  /** The model part of the config: {@code model_cfg} of a Hugging Face config, else the whole of it. */
  private JsonObject modelConfig() throws IOException {
    JsonObject c = config();
    return c.getValue("model_cfg") instanceof JsonObject m ? m : c;
  }

  /** Whether the config says the checkpoint was trained with QuickGELU ({@code quick_gelu: true}). */
  public boolean quickGelu() throws IOException {
    Object v = modelConfig().getValue("quick_gelu");
    if (v != null && !(v instanceof Boolean)) {
      throw new IOException(configFile().orElseThrow() + ": field 'quick_gelu' must be true or false, got " + v);
    }
    return Boolean.TRUE.equals(v);
  }

  /**
   * {@code spec} with the activation the checkpoint's config asks for set in both tower
   * configurations (key {@link Gelu#CONFIG_KEY}; in a MobileCLIP config the flag is the text
   * tower's only); unchanged when the config says nothing or the configurations already agree.
   *
   * @throws IllegalArgumentException when a configuration names another activation than the checkpoint's
   */
  public ClipRunSpec withCheckpointActivation(ClipRunSpec spec) throws IOException {
    Gelu gelu = quickGelu() ? Gelu.QUICK : Gelu.EXACT;
    boolean mobileClip = configFile().map(f -> f.getFileName().toString().equals(MOBILECLIP_CONFIG)).orElse(false);
    return spec.withConfigs(mobileClip ? spec.imageConfig() : withActivation(spec.imageConfig(), gelu, "image encoder"),
        withActivation(spec.textConfig(), gelu, "text encoder"));
  }

  private Map<String, Object> withActivation(Map<String, Object> config, Gelu gelu, String which) throws IOException {
    Object given = config.get(Gelu.CONFIG_KEY);
    if (given != null && Gelu.of(String.valueOf(given)) != gelu) {
      throw new IllegalArgumentException("the " + which + " configuration sets " + Gelu.CONFIG_KEY + ": " + given + " but the"
          + " checkpoint " + checkpoint + " was trained with " + gelu.configValue() + " (" + configFile().map(Path::toString)
          .orElse("no config beside it") + "); drop the key or make it agree");
    }
    if (gelu == Gelu.EXACT && given == null) {
      return config;
    }
    Map<String, Object> out = new LinkedHashMap<>(config);
    out.put(Gelu.CONFIG_KEY, gelu.configValue());
    return out;
  }

  /**
   * The spec a run that starts from its {@link ClipRunSpec#init} checkpoint trains with: the
   * checkpoint's activation set ({@link #withCheckpointActivation}); {@code spec} itself without one.
   *
   * @throws PermanentTaskFailure when the checkpoint's config cannot be read or contradicts the spec
   */
  public static ClipRunSpec forRun(ClipRunSpec spec) throws PermanentTaskFailure {
    if (!spec.hasInit()) {
      return spec;
    }
    try {
      return of(Path.of(spec.init())).withCheckpointActivation(spec);
    } catch (IOException | IllegalArgumentException e) {
      throw new PermanentTaskFailure("init " + spec.init() + ": " + e.getMessage(), e);
    }
  }

  /** Whether a tokenizer travels with the checkpoint ({@value #RECAP_TOKENIZER}/ or {@value #HF_TOKENIZER}). */
  public boolean hasTokenizer() {
    return Files.isDirectory(checkpoint.resolveSibling(RECAP_TOKENIZER)) || Files.isRegularFile(checkpoint.resolveSibling(HF_TOKENIZER));
  }

  /**
   * The tokenizer that travels with the checkpoint, loaded with {@code encoder}: Recap's saved
   * one, else the Hugging Face file with CLIP's special tokens, the text configuration's context
   * length and the config's vocabulary size.
   *
   * @param textConfig the run's resolved text configuration (its {@code context})
   * @throws IOException if neither is there, naming where it looked
   */
  public TextTokenizer tokenizer(TextEncoder encoder, PluginConfig textConfig) throws IOException {
    Path recap = checkpoint.resolveSibling(RECAP_TOKENIZER);
    if (Files.isDirectory(recap)) {
      return encoder.loadTokenizer(recap);
    }
    Path hf = checkpoint.resolveSibling(HF_TOKENIZER);
    if (Files.isRegularFile(hf)) {
      Map<String, Object> c = new LinkedHashMap<>(textConfig.asMap());
      c.put("tokenizer", hf.toString());
      Object vocab = modelConfig().getValue("text_cfg") instanceof JsonObject text ? text.getValue("vocab_size") : null;
      if (vocab instanceof Number n && !c.containsKey("vocab_size")) {
        c.put("vocab_size", n.intValue());
      }
      return encoder.tokenizer(PluginConfig.of(c), null);
    }
    throw new IOException("no tokenizer beside the checkpoint " + checkpoint + ": looked for " + recap + "/ and " + hf
        + "; put the checkpoint's tokenizer there or name it in the text configuration (tokenizer: path/tokenizer.json)");
  }
}
