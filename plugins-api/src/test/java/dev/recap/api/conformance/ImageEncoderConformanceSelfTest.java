package dev.recap.api.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kit itself: a minimal well-behaved encoder passes it ({@link Conforming}), and encoders
 * that break one rule each fail the matching check.
 */
class ImageEncoderConformanceSelfTest {

  /** A 4x4 stride-4 convolution: dense map = its output, pooled = its spatial mean. */
  private static final class PatchMean extends AbstractBlock {
    private final Parameter weight;
    private final Parameter unused;
    private final int declaredStride;
    private final boolean noisy;

    PatchMean(boolean withUnused, int declaredStride, boolean noisy) {
      this.declaredStride = declaredStride;
      this.noisy = noisy;
      weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(4, 3, 4, 4)).optInitializer(new NormalInitializer(0.1f)).build());
      unused = withUnused ? addParameter(Parameter.builder().setName("unused").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(4)).optInitializer(new NormalInitializer(0.1f)).build()) : null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
      NDArray x = inputs.singletonOrThrow();
      NDArray map = Conv2d.conv2d(x, ps.getValue(weight, x.getDevice(), training), null, new Shape(4, 4))
          .singletonOrThrow();
      if (noisy) {
        map = map.add(new Random().nextFloat());
      }
      Shape s = map.getShape();
      NDArray pooled = map.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(new int[] {2});
      return new NDList(pooled, map);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      return new Shape[] {new Shape(s.get(0), 4), new Shape(s.get(0), 4, s.get(2) / declaredStride, s.get(3) / declaredStride)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}
  }

  private static ImageEncoder encoder(boolean withUnused, int declaredStride, boolean noisy) {
    return new ImageEncoder() {
      @Override
      public String id() {
        return "patch-mean";
      }

      @Override
      public ImageTower build(PluginConfig config) {
        return new ImageTower(new PatchMean(withUnused, declaredStride, noisy), 4,
            List.of(new FeatureLevel(4, declaredStride)), 4);
      }
    };
  }

  /**
   * An encoder with two dense modes: {@code map} (the default) and {@code wide}, where the tower
   * either declares twice the channels it returns or, if {@code wideAddsAParameter}, carries an
   * extra parameter (so a default tower's parameters do not load into it).
   */
  private static ImageEncoder withModes(boolean wideAddsAParameter, boolean wideDeclaresWrongChannels) {
    return new ImageEncoder() {
      @Override
      public String id() {
        return "patch-mean-modes";
      }

      @Override
      public List<String> denseModes() {
        return List.of("map", "wide");
      }

      @Override
      public ImageTower build(PluginConfig config) {
        boolean wide = config.getString(DENSE, "map").equals("wide");
        int channels = wide && wideDeclaresWrongChannels ? 8 : 4;
        return new ImageTower(new PatchMean(wide && wideAddsAParameter, 4, false), 4,
            List.of(new FeatureLevel(channels, 4)), 4);
      }
    };
  }

  @Test
  void denseModesThatKeepTheParametersAndShapesPass() throws Exception {
    kit(withModes(false, false)).everyDenseModeKeepsTheParametersAndItsDeclaredShapes();
    // an encoder without modes has nothing to check
    kit(encoder(false, 4, false)).everyDenseModeKeepsTheParametersAndItsDeclaredShapes();
  }

  @Test
  void aDenseModeWithParametersOfItsOwnOrWrongShapesFails() {
    AssertionError parameters = assertThrows(AssertionError.class,
        () -> kit(withModes(true, false)).everyDenseModeKeepsTheParametersAndItsDeclaredShapes());
    assertTrue(parameters.getMessage().contains("'wide'"), parameters.getMessage());
    assertThrows(AssertionError.class,
        () -> kit(withModes(false, true)).everyDenseModeKeepsTheParametersAndItsDeclaredShapes());
  }

  private static ImageEncoderKit kit(ImageEncoder encoder) {
    return new ImageEncoderKit(encoder, PluginConfig.empty());
  }

  /** A well-behaved encoder: runs every check of the kit. */
  static class Conforming extends ImageEncoderConformance {
    @Override
    protected ImageEncoder encoder() {
      return ImageEncoderConformanceSelfTest.encoder(false, 4, false);
    }

    @Override
    protected PluginConfig config() {
      return PluginConfig.empty();
    }
  }

  @Test
  void aWellBehavedEncoderPassesEveryCheck() throws Exception {
    ImageEncoderKit kit = new Conforming().kit();
    kit.towerDeclaresAPositiveEmbeddingAndItsLevels();
    kit.outputShapesMatchTheDeclaredLevelsForEveryInputSize();
    kit.gradientsReachEveryTrainableParameter();
    kit.sameSeedGivesTheSameOutputAndAnotherSeedDoesNot();
    kit.savedParametersLoadIntoAFreshTowerWithIdenticalOutput();
    kit.exportNamesAreUniqueAndNonEmpty();
    kit.inferenceTowerMatchesTheTrainedTowerInInferenceMode();
    ConformanceOutcome outcome = kit.run();
    assertTrue(outcome.passed(), outcome.summary());
  }

  @Test
  void aParameterTheOutputDoesNotUseFailsTheGradientCheck() {
    assertThrows(AssertionError.class, () -> kit(encoder(true, 4, false)).gradientsReachEveryTrainableParameter());
  }

  @Test
  void aWrongDeclaredStrideFailsTheShapeCheck() {
    assertThrows(AssertionError.class,
        () -> kit(encoder(false, 2, false)).outputShapesMatchTheDeclaredLevelsForEveryInputSize());
  }

  @Test
  void unseededRandomnessFailsTheDeterminismAndSaveLoadChecks() {
    ImageEncoderKit kit = kit(encoder(false, 4, true));
    assertThrows(AssertionError.class, kit::sameSeedGivesTheSameOutputAndAnotherSeedDoesNot);
    assertFalse(kit.run().passed(), "the whole kit fails on unseeded randomness");
    assertThrows(AssertionError.class, () -> kit.savedParametersLoadIntoAFreshTowerWithIdenticalOutput());
  }
}
