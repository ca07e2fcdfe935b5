package dev.recap.plugins.texttransformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextTokenizer;
import java.nio.DoubleBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalTextTransformerTest {

  private static final List<String> CORPUS = List.of("a red square", "a blue circle", "two green triangles");

  @Test
  void clipBasePresetHasOpenClipTextTowerSize() throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    // a vocabulary of CLIP's size without a tokenizer.json: count only, never initialized
    TextTokenizer clipSized = new FixedTokenizer(49408, 77);
    CausalTextTransformer block = enc.block(PluginConfig.of("preset", "clip-base"), clipSized);
    // OpenCLIP ViT-B-16 text tower minus text_projection (512 x 512): 63,428,096 - 262,144
    assertEquals(63_428_096L - 262_144L, block.parameterCount());
  }

  @Test
  void parametersCarryOpenClipTextTowerNamesAndLayouts() throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    CausalTextTransformer block = enc.block(PluginConfig.of("width", 16, "depth", 1, "heads", 2, "context", 8),
        new FixedTokenizer(50, 8));
    java.util.Map<String, String> shapes = new java.util.LinkedHashMap<>();
    for (var p : block.getParameters()) {
      shapes.put(enc.exportName(p.getKey()), p.getValue().getShape().toString());
    }
    java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("token_embedding.weight", "(50, 16)");
    expected.put("positional_embedding", "(8, 16)");
    String r = "transformer.resblocks.0.";
    expected.put(r + "ln_1.weight", "(16)");
    expected.put(r + "ln_1.bias", "(16)");
    expected.put(r + "attn.in_proj_weight", "(48, 16)");
    expected.put(r + "attn.in_proj_bias", "(48)");
    expected.put(r + "attn.out_proj.weight", "(16, 16)");
    expected.put(r + "attn.out_proj.bias", "(16)");
    expected.put(r + "ln_2.weight", "(16)");
    expected.put(r + "ln_2.bias", "(16)");
    expected.put(r + "mlp.c_fc.weight", "(64, 16)");
    expected.put(r + "mlp.c_fc.bias", "(64)");
    expected.put(r + "mlp.c_proj.weight", "(16, 64)");
    expected.put(r + "mlp.c_proj.bias", "(16)");
    expected.put("ln_final.weight", "(16)");
    expected.put("ln_final.bias", "(16)");
    assertEquals(expected, shapes);
  }

  @Test
  void poolingIsCausalAtEndOfText() throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    PluginConfig cfg = PluginConfig.of("width", 32, "depth", 2, "heads", 4, "context", 10);
    TextTokenizer tok = enc.tokenizer(cfg, CORPUS);
    CausalTextTransformer block = enc.block(cfg, tok);
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      block.initialize(m, DataType.FLOAT32, new Shape(1, 10));
      long[] a = tok.encode("a red square");
      long[] b = a.clone();
      b[8] = 5; // after end-of-text: must not change the pooled output
      long[] c = a.clone();
      c[2] = 6; // before end-of-text: must change it
      NDArray out = block.forward(new ParameterStore(m, false), new NDList(m.create(new long[][] {a, b, c})), false).singletonOrThrow();
      float[] o = out.toFloatArray();
      int w = 32;
      float[] ra = java.util.Arrays.copyOfRange(o, 0, w);
      assertArrayEquals(ra, java.util.Arrays.copyOfRange(o, w, 2 * w), 1e-6f);
      assertFalse(java.util.Arrays.equals(ra, java.util.Arrays.copyOfRange(o, 2 * w, 3 * w)));
    }
  }

  /** Central differences in float64 against autograd, on every parameter of a one-block tower. */
  @Test
  void oneBlockGradientMatchesFiniteDifferences() throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    PluginConfig cfg = PluginConfig.of("width", 8, "depth", 1, "heads", 2, "context", 6);
    TextTokenizer tok = enc.tokenizer(cfg, CORPUS);
    CausalTextTransformer block = enc.block(cfg, tok);
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      block.initialize(m, DataType.FLOAT64, new Shape(1, 6));
      // LayerNorm gains/biases start at 1/0: perturb them so their gradients are generic
      for (Parameter p : block.getDirectParameters().values()) {
        NDArray arr = p.getArray();
        double[] v = arr.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] += 0.1 * Math.sin(1.7 * i + v.length);
        arr.set(DoubleBuffer.wrap(v));
      }
      NDArray ids = m.create(new long[][] {tok.encode("a red square"), tok.encode("two green")});
      NDArray weights = m.arange(0f, 16f, 1f, DataType.FLOAT64).reshape(2, 8).div(7.0).sub(1.0);
      ParameterStore ps = new ParameterStore(m, false);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(block.forward(ps, new NDList(ids), true).singletonOrThrow().tanh().mul(weights).sum());
      }
      int checked = 0;
      double worst = 0;
      for (Parameter p : block.getDirectParameters().values()) {
        NDArray arr = p.getArray();
        double[] grad = arr.getGradient().toDoubleArray();
        double[] v = arr.toDoubleArray();
        int step = Math.max(1, v.length / 3);
        for (int i = 0; i < v.length; i += step) {
          double h = 1e-5;
          double orig = v[i];
          v[i] = orig + h;
          arr.set(DoubleBuffer.wrap(v));
          double up = block.forward(ps, new NDList(ids), false).singletonOrThrow().tanh().mul(weights).sum().getDouble();
          v[i] = orig - h;
          arr.set(DoubleBuffer.wrap(v));
          double down = block.forward(ps, new NDList(ids), false).singletonOrThrow().tanh().mul(weights).sum().getDouble();
          v[i] = orig;
          arr.set(DoubleBuffer.wrap(v));
          double fd = (up - down) / (2 * h);
          double err = Math.abs(fd - grad[i]) / Math.max(1e-4, Math.abs(fd) + Math.abs(grad[i]));
          worst = Math.max(worst, err);
          assertTrue(err < 1e-5, p.getName() + "[" + i + "]: autograd " + grad[i] + " vs finite difference " + fd);
          checked++;
        }
      }
      assertTrue(checked > 30, "checked " + checked + " entries");
    }
  }

  /** Just the sizes, for counting parameters of a CLIP-sized tower. */
  @Test
  void exportConfigIsOpenClipsTextConfig() {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    // OpenCLIP's model_configs/ViT-B-16.json text_cfg: context_length 77, vocab_size 49408, width 512, heads 8, layers 12
    java.util.Map<String, Object> expected = new java.util.LinkedHashMap<>();
    expected.put("context_length", 77);
    expected.put("vocab_size", 49408);
    expected.put("width", 512);
    expected.put("heads", 8);
    expected.put("layers", 12);
    expected.put("mlp_ratio", 4.0);
    assertEquals(expected, enc.exportConfig(enc.resolve(PluginConfig.of("preset", "clip-base")), new FixedTokenizer(49408, 77)));
  }

  @Test
  void aTokenizerWhoseEndOfTextIsNotItsLastIdExportsEosPooling() throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    // the word tokenizer's end-of-text is id 3: OpenCLIP's default argmax pooling would pick the largest word id
    TextTokenizer words = enc.tokenizer(PluginConfig.of("context", 8), CORPUS);
    java.util.Map<String, Object> cfg = enc.exportConfig(enc.resolve(PluginConfig.of("preset", "text-tiny", "context", 8)), words);
    assertEquals("eos", cfg.get("pool_type"));
    assertEquals(3L, cfg.get("eos_id"));
  }

  @Test
  void quickGeluChangesTheEmbeddingOfTheSameParameters() throws Exception {
    TextTransformerEncoder enc = new TextTransformerEncoder();
    TextTokenizer tokenizer = enc.tokenizer(PluginConfig.of("context", 8, "vocab", 32), CORPUS);
    PluginConfig config = PluginConfig.of("width", 16, "depth", 1, "heads", 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      CausalTextTransformer exact = enc.block(config, tokenizer);
      CausalTextTransformer quick = enc.block(config.with("activation", "quick_gelu"), tokenizer);
      exact.initialize(manager, DataType.FLOAT32, new Shape(2, 8));
      quick.initialize(manager, DataType.FLOAT32, new Shape(2, 8));
      List<Parameter> from = List.copyOf(exact.getParameters().values());
      List<Parameter> to = List.copyOf(quick.getParameters().values());
      for (int i = 0; i < from.size(); i++) {
        // larger than the initialization so the MLP's pre-activations leave GELU's near-linear range
        from.get(i).getArray().addi(manager.randomNormal(0, 0.5f, from.get(i).getShape(), DataType.FLOAT32));
        from.get(i).getArray().copyTo(to.get(i).getArray());
      }
      NDArray tokens = manager.create(new long[][] {tokenizer.encode(CORPUS.get(0)), tokenizer.encode(CORPUS.get(1))});
      float[] a = exact.forward(new ParameterStore(manager, false), new NDList(tokens), false).singletonOrThrow().toFloatArray();
      float[] b = quick.forward(new ParameterStore(manager, false), new NDList(tokens), false).singletonOrThrow().toFloatArray();
      double maxDiff = 0;
      for (int i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      }
      assertTrue(maxDiff > 1e-3, "QuickGELU and exact GELU gave the same embedding (max difference " + maxDiff + ")");
    }
  }

  record FixedTokenizer(int vocabSize, int contextLength) implements TextTokenizer {
    public long[] encode(String text) { throw new UnsupportedOperationException(); }
    public String decode(long[] ids) { throw new UnsupportedOperationException(); }
    public long endOfText() { return vocabSize - 1; }
    public long startOfText() { return vocabSize - 2; }
    public long padding() { return 0; }
    public void save(java.nio.file.Path directory) { throw new UnsupportedOperationException(); }
  }
}
