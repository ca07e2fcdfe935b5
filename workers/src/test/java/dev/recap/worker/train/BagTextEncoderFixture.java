package dev.recap.worker.train;

import dev.recap.api.Kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small real text encoder for trainer tests (workers may not depend on plugin modules):
 * token embeddings averaged up to end-of-text, then a dense layer with tanh. Parameter names
 * follow OpenCLIP where they have a counterpart.
 */
public final class BagTextEncoderFixture implements TextEncoder {

  @Override
  public String id() {
    return "test-bag";
  }

  @Override
  public TextTokenizer tokenizer(PluginConfig config, Iterable<String> corpus) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : List.of("<pad>", "<unk>", "<start>", "<end>")) {
      vocab.put(s, vocab.size());
    }
    for (String caption : corpus) {
      for (String w : caption.toLowerCase().split("\\s+")) {
        vocab.putIfAbsent(w, vocab.size());
      }
    }
    return new Words(vocab, config.getInt("context", 8));
  }

  @Override
  public TextTokenizer loadTokenizer(Path directory) throws java.io.IOException {
    List<String> lines = java.nio.file.Files.readAllLines(directory.resolve("vocab.txt"));
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String w : lines.subList(1, lines.size())) {
      vocab.put(w, vocab.size());
    }
    return new Words(vocab, Integer.parseInt(lines.get(0)));
  }

  @Override
  public TextTower build(PluginConfig config, TextTokenizer tokenizer) {
    int width = config.getInt("width", 32);
    return new TextTower(new Bag(tokenizer.vocabSize(), width, tokenizer.endOfText()), width, tokenizer.contextLength());
  }

  record Words(Map<String, Integer> vocab, int contextLength) implements TextTokenizer {
    public int vocabSize() { return vocab.size(); }
    public long[] encode(String text) {
      long[] out = new long[contextLength];
      out[0] = 2;
      int n = 1;
      for (String w : text.toLowerCase().split("\\s+")) {
        if (n == contextLength - 1) break;
        out[n++] = vocab.getOrDefault(w, 1);
      }
      out[n] = 3;
      return out;
    }
    public String decode(long[] ids) { throw new UnsupportedOperationException(); }
    public long endOfText() { return 3; }
    public long startOfText() { return 2; }
    public long padding() { return 0; }
    public void save(Path directory) throws java.io.IOException {
      // first line the context length, then the words in id order
      List<String> lines = new java.util.ArrayList<>(List.of(Integer.toString(contextLength)));
      lines.addAll(vocab.keySet());
      java.nio.file.Files.write(directory.resolve("vocab.txt"), lines);
    }
  }

  static final class Bag extends AbstractBlock {
    private final Parameter embedding;
    private final Parameter weight;
    private final Parameter bias;
    private final long endOfText;

    Bag(int vocab, int width, long endOfText) {
      this.endOfText = endOfText;
      embedding = addParameter(Parameter.builder().setName("token_embedding.weight").setType(Parameter.Type.OTHER)
          .optShape(new Shape(vocab, width)).optInitializer(new NormalInitializer(0.5f)).build());
      weight = addParameter(Parameter.builder().setName("dense.weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(width, width)).optInitializer(new NormalInitializer(0.2f)).build());
      bias = addParameter(Parameter.builder().setName("dense.bias").setType(Parameter.Type.BIAS)
          .optShape(new Shape(width)).optInitializer(new ConstantInitializer(0f)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray tokens = inputs.singletonOrThrow();
      int b = (int) tokens.getShape().get(0);
      int l = (int) tokens.getShape().get(1);
      long[] ids = tokens.toLongArray();
      float[] w = new float[b * l];
      for (int r = 0; r < b; r++) {
        int end = 0;
        while (end < l - 1 && ids[r * l + end] != endOfText) end++;
        for (int i = 0; i <= end; i++) w[r * l + i] = 1f / (end + 1);
      }
      NDArray e = tokens.getNDArrayInternal()
          .embedding(tokens, ps.getValue(embedding, tokens.getDevice(), training), SparseFormat.DENSE).singletonOrThrow();
      Kernels products = Kernels.current();
      NDArray mean = products.matMul(tokens.getManager().create(w, new Shape(b, 1, l)).toType(e.getDataType(), false), e)
          .reshape(b, -1);
      NDArray y = products.linear(mean, ps.getValue(weight, tokens.getDevice(), training),
          ps.getValue(bias, tokens.getDevice(), training)).tanh();
      return new NDList(y);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      return new Shape[] {new Shape(in[0].get(0), weight.getShape().get(0))};
    }
  }
}
