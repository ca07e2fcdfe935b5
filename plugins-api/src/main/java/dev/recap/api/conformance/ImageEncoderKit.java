package dev.recap.api.conformance;

import static dev.recap.api.conformance.Expect.assertArrayEquals;
import static dev.recap.api.conformance.Expect.assertEquals;
import static dev.recap.api.conformance.Expect.assertFalse;
import static dev.recap.api.conformance.Expect.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The {@link ImageEncoder} contract, checked on a real engine, for one encoder and a small
 * configuration (a CPU-sized preset):
 *
 * <ul>
 *   <li>output shapes: pooled {@code [B, D]} and every dense level {@code [B, C_i, H/s_i, W/s_i]}
 *       as the tower declares them, for every input size, and {@code getOutputShapes} agrees;
 *   <li>gradients reach every trainable parameter (in training mode);
 *   <li>the same seed gives bit-identical outputs, another seed does not;
 *   <li>parameters saved and loaded into a freshly built tower give bit-identical outputs;
 *   <li>export names are unique and non-empty;
 *   <li>{@link ImageEncoder#inferenceTower} computes what the trained tower computes in
 *       inference mode (within 1e-4 of the output's scale);
 *   <li>every value of {@link ImageEncoder#denseModes()} builds a tower whose outputs have the
 *       shapes it declares and that loads the parameters saved from the default tower; the
 *       first value gives the default's levels.
 * </ul>
 *
 * <p>Keep the configuration tiny: every check builds and runs the tower a few times on CPU.
 */
public final class ImageEncoderKit implements ConformanceKit {

  private final ImageEncoder encoder;
  private final PluginConfig config;
  private final List<int[]> inputSizes;
  private final int batchSize;

  /**
   * @param encoder the encoder under test
   * @param config a small configuration; resolved through {@link ImageEncoder#resolve} (presets allowed)
   * @param inputSizes input sizes {@code {height, width}} to check, each a multiple of the tower's input multiple
   * @param batchSize batch size of every check; at least 2 so batch statistics are defined in training mode
   */
  public ImageEncoderKit(ImageEncoder encoder, PluginConfig config, List<int[]> inputSizes, int batchSize) {
    this.encoder = java.util.Objects.requireNonNull(encoder, "encoder");
    this.config = java.util.Objects.requireNonNull(config, "config");
    if (inputSizes.isEmpty()) {
      throw new IllegalArgumentException("the image encoder kit needs at least one input size");
    }
    this.inputSizes = List.copyOf(inputSizes);
    this.batchSize = batchSize;
  }

  /** The default sizes: a square, a larger square and a non-square size (32x32, 64x64, 32x64), batch 2. */
  public ImageEncoderKit(ImageEncoder encoder, PluginConfig config) {
    this(encoder, config, defaultInputSizes(), 2);
  }

  /** 32x32, 64x64 and 32x64. */
  public static List<int[]> defaultInputSizes() {
    return List.of(new int[] {32, 32}, new int[] {64, 64}, new int[] {32, 64});
  }

  @Override
  public String extensionPoint() {
    return "ImageEncoder";
  }

  @Override
  public List<Check> checks() {
    return List.of(
        Check.of("towerDeclaresAPositiveEmbeddingAndItsLevels", this::towerDeclaresAPositiveEmbeddingAndItsLevels),
        Check.of("outputShapesMatchTheDeclaredLevelsForEveryInputSize", this::outputShapesMatchTheDeclaredLevelsForEveryInputSize),
        Check.of("gradientsReachEveryTrainableParameter", this::gradientsReachEveryTrainableParameter),
        Check.of("sameSeedGivesTheSameOutputAndAnotherSeedDoesNot", this::sameSeedGivesTheSameOutputAndAnotherSeedDoesNot),
        Check.of("savedParametersLoadIntoAFreshTowerWithIdenticalOutput", this::savedParametersLoadIntoAFreshTowerWithIdenticalOutput),
        Check.of("inferenceTowerMatchesTheTrainedTowerInInferenceMode", this::inferenceTowerMatchesTheTrainedTowerInInferenceMode),
        Check.of("exportNamesAreUniqueAndNonEmpty", this::exportNamesAreUniqueAndNonEmpty),
        Check.of("everyDenseModeKeepsTheParametersAndItsDeclaredShapes", this::everyDenseModeKeepsTheParametersAndItsDeclaredShapes));
  }

  private List<int[]> inputSizes() {
    return inputSizes;
  }

  private int batchSize() {
    return batchSize;
  }

  private ImageEncoder encoder() {
    return encoder;
  }

  private PluginConfig config() {
    return config;
  }

  private ImageTower build() {
    return encoder().build(encoder().resolve(config()));
  }

  private ImageTower buildInitialized(NDManager manager, long seed, int[] size) {
    // the engine's seed is global: hold it while this tower initializes (the workers' convention)
    synchronized (Engine.class) {
      Engine.getInstance().setRandomSeed((int) seed);
      ImageTower tower = build();
      tower.block().initialize(manager, DataType.FLOAT32, new Shape(batchSize(), 3, size[0], size[1]));
      return tower;
    }
  }

  /** Normal(0, 1) images from a Java RNG, so the input never depends on the engine's seed. */
  private NDArray images(NDManager manager, int[] size, long seed) {
    Random random = new Random(seed);
    float[] data = new float[batchSize() * 3 * size[0] * size[1]];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    return manager.create(data, new Shape(batchSize(), 3, size[0], size[1]));
  }

  private static NDList forward(NDManager manager, Block block, NDArray images, boolean training) {
    return block.forward(new ParameterStore(manager, false), new NDList(images), training);
  }

  private static List<float[]> values(NDList outputs) {
    List<float[]> values = new ArrayList<>();
    for (NDArray output : outputs) {
      values.add(output.toFloatArray());
    }
    return values;
  }

  private static String label(int[] size) {
    return size[0] + "x" + size[1];
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void towerDeclaresAPositiveEmbeddingAndItsLevels() {
    ImageTower tower = build();
    assertTrue(tower.embeddingDim() > 0, "embeddingDim must be positive");
    assertTrue(tower.inputMultiple() > 0, "inputMultiple must be positive");
    assertFalse(tower.featureLevels().isEmpty(), "at least one dense level");
    for (int[] size : inputSizes()) {
      assertEquals(0, size[0] % tower.inputMultiple(), "test input " + label(size) + " is not a multiple of " + tower.inputMultiple());
      assertEquals(0, size[1] % tower.inputMultiple(), "test input " + label(size) + " is not a multiple of " + tower.inputMultiple());
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void outputShapesMatchTheDeclaredLevelsForEveryInputSize() {
    try (NDManager manager = NDManager.newBaseManager()) {
      int[] first = inputSizes().get(0);
      ImageTower tower = buildInitialized(manager, 7, first);
      int b = batchSize();
      for (int[] size : inputSizes()) {
        try (NDManager step = manager.newSubManager()) {
          NDList out = forward(step, tower.block(), images(step, size, 1), false);
          List<Shape> expected = new ArrayList<>();
          expected.add(new Shape(b, tower.embeddingDim()));
          for (FeatureLevel level : tower.featureLevels()) {
            expected.add(new Shape(b, level.channels(), size[0] / level.stride(), size[1] / level.stride()));
          }
          assertEquals(expected.size(), out.size(), "output count for " + label(size) + ": pooled + one per feature level");
          for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), out.get(i).getShape(), "output " + i + " for input " + label(size));
            assertEquals(DataType.FLOAT32, out.get(i).getDataType(), "output " + i + " dtype");
          }
          Shape[] declared = tower.block().getOutputShapes(new Shape[] {new Shape(b, 3, size[0], size[1])});
          assertArrayEquals(expected.toArray(new Shape[0]), declared, "getOutputShapes for " + label(size));
        }
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void gradientsReachEveryTrainableParameter() {
    for (int[] size : inputSizes()) {
      try (NDManager manager = NDManager.newBaseManager()) {
        ImageTower tower = buildInitialized(manager, 11, size);
        NDArray images = images(manager, size, 2);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDList out = forward(manager, tower.block(), images, true);
          // a fixed random weighting of every output, so no gradient cancels by symmetry
          Random random = new Random(3);
          NDArray loss = null;
          for (NDArray output : out) {
            float[] w = new float[Math.toIntExact(output.size())];
            for (int i = 0; i < w.length; i++) {
              w[i] = (float) random.nextGaussian();
            }
            NDArray term = output.mul(manager.create(w, output.getShape())).sum();
            loss = loss == null ? term : loss.add(term);
          }
          collector.backward(loss);
        }
        List<String> missing = new ArrayList<>();
        int trainable = 0;
        for (Pair<String, Parameter> pair : tower.block().getParameters()) {
          Parameter p = pair.getValue();
          if (!p.requiresGradient()) {
            continue;
          }
          trainable++;
          NDArray grad = p.getArray().getGradient();
          float norm = grad.abs().sum().getFloat();
          if (!(norm > 0) || !Float.isFinite(norm)) {
            missing.add(pair.getKey() + " (|grad|_1 = " + norm + ")");
          }
        }
        assertTrue(trainable > 0, "the tower has no trainable parameter");
        assertTrue(missing.isEmpty(), "no or non-finite gradient at input " + label(size) + " for: " + missing);
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void sameSeedGivesTheSameOutputAndAnotherSeedDoesNot() {
    int[] size = inputSizes().get(0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = images(manager, size, 4);
      List<float[]> first = values(forward(manager, buildInitialized(manager, 42, size).block(), images, false));
      List<float[]> again = values(forward(manager, buildInitialized(manager, 42, size).block(), images, false));
      List<float[]> other = values(forward(manager, buildInitialized(manager, 43, size).block(), images, false));
      for (int i = 0; i < first.size(); i++) {
        assertArrayEquals(first.get(i), again.get(i), "output " + i + " differs between two builds with seed 42");
      }
      assertFalse(java.util.Arrays.equals(first.get(0), other.get(0)), "seeds 42 and 43 gave the same pooled output");
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void savedParametersLoadIntoAFreshTowerWithIdenticalOutput() throws IOException {
    int[] size = inputSizes().get(inputSizes().size() - 1);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = images(manager, size, 5);
      ImageTower saved = buildInitialized(manager, 1, size);
      List<float[]> expected = values(forward(manager, saved.block(), images, false));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        saved.block().saveParameters(out);
      }
      ImageTower loaded = buildInitialized(manager, 2, size);
      List<float[]> before = values(forward(manager, loaded.block(), images, false));
      assertFalse(java.util.Arrays.equals(expected.get(0), before.get(0)), "a tower with another seed already matched: the check could not fail");
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        loaded.block().loadParameters(manager, in);
      } catch (ai.djl.MalformedModelException e) {
        throw new ConformanceFailure("saved parameters do not load into a fresh tower: " + e.getMessage());
      }
      List<float[]> actual = values(forward(manager, loaded.block(), images, false));
      for (int i = 0; i < expected.size(); i++) {
        assertArrayEquals(expected.get(i), actual.get(i), "output " + i + " after save/load");
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void inferenceTowerMatchesTheTrainedTowerInInferenceMode() {
    int[] size = inputSizes().get(0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = images(manager, size, 6);
      ImageTower trained = buildInitialized(manager, 8, size);
      List<float[]> expected = values(forward(manager, trained.block(), images, false));
      ImageTower inference = encoder().inferenceTower(encoder().resolve(config()), trained, manager);
      assertEquals(trained.embeddingDim(), inference.embeddingDim(), "inference tower embeddingDim");
      assertEquals(trained.featureLevels(), inference.featureLevels(), "inference tower feature levels");
      List<float[]> actual = values(forward(manager, inference.block(), images, false));
      for (int i = 0; i < expected.size(); i++) {
        float scale = 1f;
        float diff = 0f;
        for (int j = 0; j < expected.get(i).length; j++) {
          scale = Math.max(scale, Math.abs(expected.get(i)[j]));
          diff = Math.max(diff, Math.abs(expected.get(i)[j] - actual.get(i)[j]));
        }
        assertTrue(diff <= 1e-4f * scale, "output " + i + " of the inference tower differs by " + diff);
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void exportNamesAreUniqueAndNonEmpty() {
    ImageTower tower = build();
    Set<String> seen = new HashSet<>();
    for (Pair<String, Parameter> pair : tower.block().getParameters()) {
      String name = encoder().exportName(pair.getKey());
      assertTrue(name != null && !name.isBlank(), "export name of " + pair.getKey() + " is empty");
      assertTrue(seen.add(name), "export name " + name + " (from " + pair.getKey() + ") is used twice");
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void everyDenseModeKeepsTheParametersAndItsDeclaredShapes() throws IOException {
    List<String> modes = encoder().denseModes();
    if (modes.isEmpty()) {
      return;
    }
    int[] size = inputSizes().get(inputSizes().size() - 1);
    int b = batchSize();
    try (NDManager manager = NDManager.newBaseManager()) {
      ImageTower standard = buildInitialized(manager, 3, size);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        standard.block().saveParameters(out);
      }
      // the default is what the configuration gives without the key (it may set a mode itself)
      java.util.Map<String, Object> withoutMode = new java.util.LinkedHashMap<>(encoder().resolve(config()).asMap());
      withoutMode.remove(ImageEncoder.DENSE);
      List<FeatureLevel> defaultLevels = encoder().build(PluginConfig.of(withoutMode)).featureLevels();
      for (int m = 0; m < modes.size(); m++) {
        String mode = modes.get(m);
        ImageTower tower = encoder().build(encoder().resolve(config()).with(ImageEncoder.DENSE, mode));
        if (m == 0) {
          assertEquals(defaultLevels, tower.featureLevels(), "the first dense mode '" + mode + "' is the default");
        }
        tower.block().initialize(manager, DataType.FLOAT32, new Shape(b, 3, size[0], size[1]));
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
          tower.block().loadParameters(manager, in);
        } catch (ai.djl.MalformedModelException | IOException | RuntimeException e) {
          throw new ConformanceFailure("dense mode '" + mode + "' does not load the default tower's parameters: " + e.getMessage());
        }
        try (NDManager step = manager.newSubManager()) {
          NDList out = forward(step, tower.block(), images(step, size, 9), false);
          assertEquals(1 + tower.featureLevels().size(), out.size(), "dense mode '" + mode + "': pooled + one per level");
          for (int i = 0; i < tower.featureLevels().size(); i++) {
            FeatureLevel level = tower.featureLevels().get(i);
            assertEquals(new Shape(b, level.channels(), size[0] / level.stride(), size[1] / level.stride()),
                out.get(i + 1).getShape(), "dense mode '" + mode + "': level " + i + " for input " + label(size));
          }
        }
      }
    }
  }
}
