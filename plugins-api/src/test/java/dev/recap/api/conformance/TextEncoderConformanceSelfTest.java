package dev.recap.api.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kit itself: a small well-behaved text encoder (a bag of word embeddings up to end-of-text,
 * then a dense layer) passes every check, and encoders that each break one rule fail exactly the
 * matching check.
 */
class TextEncoderConformanceSelfTest {

  private static final int CONTEXT = 8;
  private static final int WIDTH = 16;

  /** The one rule a {@link BagOfWords} encoder breaks. */
  enum Fault {
    NONE,
    /** A caption longer than the context loses its end-of-text token. */
    TRUNCATES_THE_END_TOKEN,
    /** A loaded tokenizer forgets the saved context length. */
    LOADS_WITHOUT_THE_CONTEXT_LENGTH,
    /** The tower declares a wider embedding than it outputs. */
    DECLARES_THE_WRONG_WIDTH,
    /** A parameter the output does not use. */
    UNUSED_PARAMETER,
    /** The bias is initialized from an unseeded random source, not the engine's seed. */
    UNSEEDED_INITIALIZATION,
    /** Part of the output comes from an array drawn at initialization that is no parameter, so it is not saved. */
    STATE_OUTSIDE_THE_PARAMETERS
  }

  private static final class BagOfWords implements TextEncoder {
    private final Fault fault;

    BagOfWords(Fault fault) {
      this.fault = fault;
    }

    @Override
    public String id() {
      return "bag-of-words";
    }

    @Override
    public TextTokenizer tokenizer(PluginConfig config, Iterable<String> corpus) {
      Map<String, Integer> vocab = new LinkedHashMap<>();
      for (String special : List.of("<pad>", "<unk>", "<start>", "<end>")) {
        vocab.put(special, vocab.size());
      }
      for (String caption : corpus) {
        for (String word : Words.split(caption)) {
          vocab.putIfAbsent(word, vocab.size());
        }
      }
      return new Words(vocab, config.getInt("context", CONTEXT), fault == Fault.TRUNCATES_THE_END_TOKEN);
    }

    @Override
    public TextTokenizer loadTokenizer(Path directory) throws IOException {
      List<String> lines = Files.readAllLines(directory.resolve("vocab.txt"));
      Map<String, Integer> vocab = new LinkedHashMap<>();
      for (String word : lines.subList(1, lines.size())) {
        vocab.put(word, vocab.size());
      }
      int context = fault == Fault.LOADS_WITHOUT_THE_CONTEXT_LENGTH ? 2 * CONTEXT : Integer.parseInt(lines.get(0));
      return new Words(vocab, context, fault == Fault.TRUNCATES_THE_END_TOKEN);
    }

    @Override
    public TextTower build(PluginConfig config, TextTokenizer tokenizer) {
      int declared = fault == Fault.DECLARES_THE_WRONG_WIDTH ? WIDTH + 1 : WIDTH;
      return new TextTower(new Bag(tokenizer.vocabSize(), tokenizer.endOfText(), fault), declared, tokenizer.contextLength());
    }
  }

  /** Lower-cased words; ids 0-3 are padding, unknown, start and end. */
  private record Words(Map<String, Integer> vocab, int contextLength, boolean dropsTheEndWhenTruncating)
      implements TextTokenizer {

    static String[] split(String text) {
      return text.toLowerCase().split("\\s+");
    }

    @Override
    public int vocabSize() {
      return vocab.size();
    }

    @Override
    public long[] encode(String text) {
      long[] ids = new long[contextLength];
      ids[0] = startOfText();
      int n = 1;
      int room = dropsTheEndWhenTruncating ? contextLength : contextLength - 1;
      for (String word : split(text)) {
        if (n == room) {
          break;
        }
        ids[n++] = vocab.getOrDefault(word, 1);
      }
      if (n < contextLength) {
        ids[n] = endOfText();
      }
      return ids;
    }

    @Override
    public String decode(long[] ids) {
      List<String> words = new ArrayList<>(vocab.keySet());
      StringBuilder text = new StringBuilder();
      for (long id : ids) {
        if (id > endOfText()) {
          text.append(text.length() == 0 ? "" : " ").append(words.get((int) id));
        }
      }
      return text.toString();
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
      // the context length, then the words in id order
      List<String> lines = new ArrayList<>(List.of(Integer.toString(contextLength)));
      lines.addAll(vocab.keySet());
      Files.write(directory.resolve("vocab.txt"), lines);
    }
  }

  /** Mean of the token embeddings up to end-of-text, then dense + tanh. */
  private static final class Bag extends AbstractBlock {
    private final Parameter embedding;
    private final Parameter weight;
    private final Parameter bias;
    private final long endOfText;
    private final Fault fault;
    private NDArray offset;

    Bag(int vocab, long endOfText, Fault fault) {
      this.endOfText = endOfText;
      this.fault = fault;
      embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.OTHER)
          .optShape(new Shape(vocab, WIDTH)).optInitializer(new NormalInitializer(0.5f)).build());
      weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(WIDTH, WIDTH)).optInitializer(new NormalInitializer(0.2f)).build());
      Initializer biasInit = fault == Fault.UNSEEDED_INITIALIZATION ? new UnseededNormal() : new ConstantInitializer(0f);
      bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
          .optShape(new Shape(WIDTH)).optInitializer(biasInit).build());
      if (fault == Fault.UNUSED_PARAMETER) {
        addParameter(Parameter.builder().setName("unused").setType(Parameter.Type.WEIGHT)
            .optShape(new Shape(WIDTH)).optInitializer(new NormalInitializer(0.1f)).build());
      }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      if (fault == Fault.STATE_OUTSIDE_THE_PARAMETERS) {
        offset = manager.randomNormal(new Shape(WIDTH)); // drawn under the engine's seed, but never saved
      }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray tokens = inputs.singletonOrThrow();
      int b = (int) tokens.getShape().get(0);
      int l = (int) tokens.getShape().get(1);
      long[] ids = tokens.toLongArray();
      float[] share = new float[b * l];
      for (int r = 0; r < b; r++) {
        int end = 0;
        while (end < l - 1 && ids[r * l + end] != endOfText) {
          end++;
        }
        for (int i = 0; i <= end; i++) {
          share[r * l + i] = 1f / (end + 1);
        }
      }
      NDArray e = tokens.getNDArrayInternal()
          .embedding(tokens, ps.getValue(embedding, tokens.getDevice(), training), SparseFormat.DENSE).singletonOrThrow();
      NDArray mean = tokens.getManager().create(share, new Shape(b, 1, l)).matMul(e).reshape(b, WIDTH);
      NDArray y = mean.getNDArrayInternal().linear(mean, ps.getValue(weight, tokens.getDevice(), training),
          ps.getValue(bias, tokens.getDevice(), training)).singletonOrThrow();
      if (offset != null) {
        y = y.add(offset);
      }
      return new NDList(y.tanh());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      return new Shape[] {new Shape(in[0].get(0), WIDTH)};
    }
  }

  /** Normal values from a source the engine's seed does not reach. */
  private static final class UnseededNormal implements Initializer {
    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      Random random = new Random();
      float[] values = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      return manager.create(values, shape).toType(dataType, false);
    }
  }

  private static TextEncoderKit kit(Fault fault) {
    return new TextEncoderKit(new BagOfWords(fault), PluginConfig.empty());
  }

  /** A well-behaved encoder, through the JUnit base class plugins extend. */
  static class Conforming extends TextEncoderConformance {
    @Override
    protected TextEncoder encoder() {
      return new BagOfWords(Fault.NONE);
    }

    @Override
    protected PluginConfig config() {
      return PluginConfig.empty();
    }
  }

  @Test
  void aWellBehavedEncoderPassesEveryCheck() {
    TextEncoderKit kit = new Conforming().kit();
    KitChecks.assertAllPass(kit);
    assertTrue(kit.run().passed(), kit.run().summary());
  }

  @Test
  void aTruncatedCaptionWithoutItsEndTokenFailsOnlyTheTokenizerCheck() {
    KitChecks.assertOnlyFails(kit(Fault.TRUNCATES_THE_END_TOKEN), "tokenizerEncodesFixedLengthWithStartAndEnd");
  }

  @Test
  void aReloadedTokenizerWithAnotherContextLengthFailsOnlyTheSaveAndLoadCheck() {
    KitChecks.assertOnlyFails(kit(Fault.LOADS_WITHOUT_THE_CONTEXT_LENGTH), "tokenizerSavesAndLoads");
  }

  @Test
  void aWrongDeclaredWidthFailsOnlyTheShapeCheck() {
    KitChecks.assertOnlyFails(kit(Fault.DECLARES_THE_WRONG_WIDTH), "outputShapesForSeveralBatchSizes");
  }

  @Test
  void aParameterTheOutputDoesNotUseFailsOnlyTheGradientCheck() {
    KitChecks.assertOnlyFails(kit(Fault.UNUSED_PARAMETER), "gradientsReachEveryParameter");
  }

  @Test
  void anUnseededInitializationFailsOnlyTheSeedCheck() {
    KitChecks.assertOnlyFails(kit(Fault.UNSEEDED_INITIALIZATION), "sameSeedGivesSameOutput");
  }

  @Test
  void stateOutsideTheParametersFailsOnlyTheSaveAndLoadCheck() {
    KitChecks.assertOnlyFails(kit(Fault.STATE_OUTSIDE_THE_PARAMETERS), "parametersSaveAndLoadToIdenticalOutput");
  }
}
