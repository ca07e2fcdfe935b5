package dev.recap.api.conformance;

import static dev.recap.api.conformance.Expect.assertArrayEquals;
import static dev.recap.api.conformance.Expect.assertEquals;
import static dev.recap.api.conformance.Expect.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@link TextEncoder} contract for one encoder and a small configuration: the tokenizer
 * contract, output shapes for several batch sizes, gradients that reach every parameter,
 * determinism under a seed, and saved parameters (and a saved tokenizer) that load back to
 * identical outputs.
 */
public final class TextEncoderKit implements ConformanceKit {

  private final TextEncoder encoder;
  private final PluginConfig config;
  private final List<String> corpus;

  /**
   * @param encoder the encoder under test
   * @param config a small configuration (a CPU-sized preset)
   * @param corpus captions for tokenizer training and the inputs of every check
   */
  public TextEncoderKit(TextEncoder encoder, PluginConfig config, List<String> corpus) {
    this.encoder = java.util.Objects.requireNonNull(encoder, "encoder");
    this.config = java.util.Objects.requireNonNull(config, "config");
    if (corpus.isEmpty()) {
      throw new IllegalArgumentException("the text encoder kit needs at least one caption");
    }
    this.corpus = List.copyOf(corpus);
  }

  /** With {@link #defaultCorpus()}. */
  public TextEncoderKit(TextEncoder encoder, PluginConfig config) {
    this(encoder, config, defaultCorpus());
  }

  /** Five short scene captions. */
  public static List<String> defaultCorpus() {
    return List.of("a red square on a blue background", "two green circles", "a small yellow triangle near a cat",
        "an image of a dog", "three blue squares and one red circle, left of a tree");
  }

  @Override
  public String extensionPoint() {
    return "TextEncoder";
  }

  @Override
  public List<Check> checks() {
    return List.of(
        Check.of("tokenizerEncodesFixedLengthWithStartAndEnd", this::tokenizerEncodesFixedLengthWithStartAndEnd),
        Check.of("tokenizerSavesAndLoads", this::tokenizerSavesAndLoads),
        Check.of("outputShapesForSeveralBatchSizes", this::outputShapesForSeveralBatchSizes),
        Check.of("gradientsReachEveryParameter", this::gradientsReachEveryParameter),
        Check.of("sameSeedGivesSameOutput", this::sameSeedGivesSameOutput),
        Check.of("parametersSaveAndLoadToIdenticalOutput", this::parametersSaveAndLoadToIdenticalOutput));
  }

  private TextEncoder encoder() {
    return encoder;
  }

  private PluginConfig config() {
    return config;
  }

  private List<String> corpus() {
    return corpus;
  }

  private TextTokenizer tokenizer() throws Exception {
    return encoder().tokenizer(config(), corpus());
  }

  private long[][] tokens(TextTokenizer tok, int batch) {
    List<String> c = corpus();
    long[][] out = new long[batch][];
    for (int i = 0; i < batch; i++) {
      out[i] = tok.encode(c.get(i % c.size()));
    }
    return out;
  }

  private static TextTower initialized(TextEncoder enc, PluginConfig cfg, TextTokenizer tok, NDManager m, long seed) {
    // the engine's seed is global: hold it while this tower initializes (the workers' convention)
    synchronized (Engine.class) {
      Engine.getInstance().setRandomSeed((int) seed);
      TextTower tower = enc.build(cfg, tok);
      tower.block().initialize(m, DataType.FLOAT32, new Shape(1, tower.contextLength()));
      return tower;
    }
  }

  private static NDArray run(TextTower tower, NDManager m, long[][] ids, boolean training) {
    NDArray t = m.create(ids);
    return tower.block().forward(new ParameterStore(m, false), new NDList(t), training).singletonOrThrow();
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void tokenizerEncodesFixedLengthWithStartAndEnd() throws Exception {
    TextTokenizer tok = tokenizer();
    for (String caption : corpus()) {
      long[] ids = tok.encode(caption);
      assertEquals(tok.contextLength(), ids.length, "encode must return contextLength ids");
      assertEquals(tok.startOfText(), ids[0], "first id must be the start token");
      boolean hasEnd = false;
      for (long id : ids) {
        assertTrue(id >= 0 && id < tok.vocabSize(), "id " + id + " outside the vocabulary of " + tok.vocabSize());
        hasEnd |= id == tok.endOfText();
      }
      assertTrue(hasEnd, "no end-of-text token in the encoding of '" + caption + "'");
    }
    String longText = String.join(" ", java.util.Collections.nCopies(10 * tok.contextLength(), "red"));
    long[] ids = tok.encode(longText);
    assertEquals(tok.contextLength(), ids.length, "long captions must be truncated to contextLength");
    assertEquals(tok.endOfText(), ids[ids.length - 1], "a truncated caption still ends with end-of-text");
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void tokenizerSavesAndLoads() throws Exception {
    TextTokenizer tok = tokenizer();
    Path dir = Files.createTempDirectory("recap-tokenizer-kit");
    TextTokenizer back;
    try {
      tok.save(dir);
      back = encoder().loadTokenizer(dir);
    } finally {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    assertEquals(tok.vocabSize(), back.vocabSize());
    assertEquals(tok.contextLength(), back.contextLength());
    for (String caption : corpus()) {
      assertArrayEquals(tok.encode(caption), back.encode(caption), "saved tokenizer encodes '" + caption + "' differently");
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void outputShapesForSeveralBatchSizes() throws Exception {
    TextTokenizer tok = tokenizer();
    try (NDManager m = NDManager.newBaseManager()) {
      TextTower tower = initialized(encoder(), config(), tok, m, 1);
      assertEquals(tok.contextLength(), tower.contextLength());
      for (int b : new int[] {1, 2, 5}) {
        try (NDManager step = m.newSubManager()) {
          NDArray out = run(tower, step, tokens(tok, b), false);
          assertEquals(new Shape(b, tower.embeddingDim()), out.getShape(), "pooled output for batch " + b);
          assertEquals(DataType.FLOAT32, out.getDataType());
          for (float v : out.toFloatArray()) {
            assertTrue(Float.isFinite(v), "non-finite output");
          }
        }
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void gradientsReachEveryParameter() throws Exception {
    TextTokenizer tok = tokenizer();
    try (NDManager m = NDManager.newBaseManager()) {
      TextTower tower = initialized(encoder(), config(), tok, m, 2);
      try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = run(tower, step, tokens(tok, 3), true);
        // a loss that depends on every output element, not symmetric in them
        NDArray weights = step.arange((float) out.size()).reshape(out.getShape()).div(out.size()).add(0.5f);
        gc.backward(out.mul(weights).sum());
        for (Pair<String, Parameter> p : tower.block().getParameters()) {
          NDArray g = p.getValue().getArray().getGradient();
          float max = g.abs().max().getFloat();
          assertTrue(max > 0f, "no gradient reaches parameter " + p.getKey());
        }
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void sameSeedGivesSameOutput() throws Exception {
    TextTokenizer tok = tokenizer();
    try (NDManager m = NDManager.newBaseManager()) {
      float[] a = run(initialized(encoder(), config(), tok, m, 7), m, tokens(tok, 3), false).toFloatArray();
      float[] b = run(initialized(encoder(), config(), tok, m, 7), m, tokens(tok, 3), false).toFloatArray();
      assertArrayEquals(a, b, "two towers built and initialized under the same seed differ");
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void parametersSaveAndLoadToIdenticalOutput() throws Exception {
    TextTokenizer tok = tokenizer();
    try (NDManager m = NDManager.newBaseManager()) {
      TextTower a = initialized(encoder(), config(), tok, m, 11);
      TextTower b = initialized(encoder(), config(), tok, m, 12);
      long[][] ids = tokens(tok, 4);
      float[] before = run(b, m, ids, false).toFloatArray();
      assertTrue(!java.util.Arrays.equals(run(a, m, ids, false).toFloatArray(), before), "different seeds should differ");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        a.block().saveParameters(out);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        b.block().loadParameters(m, in);
      }
      assertArrayEquals(run(a, m, ids, false).toFloatArray(), run(b, m, ids, false).toFloatArray(),
          "a tower loaded from saved parameters gives a different output");
    }
  }
}
