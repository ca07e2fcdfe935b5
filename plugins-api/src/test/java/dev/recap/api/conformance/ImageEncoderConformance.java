package dev.recap.api.conformance;

import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link ImageEncoder} contract as JUnit tests: a plugin's test extends this class, returns
 * its encoder and a small configuration (a CPU-sized preset), and inherits one test per check of
 * {@link ImageEncoderKit} (which a worker also runs on every encoder it loads).
 */
public abstract class ImageEncoderConformance {

  /** The encoder under test. */
  protected abstract ImageEncoder encoder();

  /** A small configuration; resolved through {@link ImageEncoder#resolve} (presets allowed). */
  protected abstract PluginConfig config();

  /** Input sizes {@code {height, width}} to check; by default {@link ImageEncoderKit#defaultInputSizes()}. */
  protected List<int[]> inputSizes() {
    return ImageEncoderKit.defaultInputSizes();
  }

  /** Batch size of every check; at least 2 so batch statistics are defined in training mode. */
  protected int batchSize() {
    return 2;
  }

  /** The kit bound to this test's encoder and configuration. */
  protected ImageEncoderKit kit() {
    return new ImageEncoderKit(encoder(), config(), inputSizes(), batchSize());
  }

  @Test
  void towerDeclaresAPositiveEmbeddingAndItsLevels() {
    kit().towerDeclaresAPositiveEmbeddingAndItsLevels();
  }

  @Test
  void outputShapesMatchTheDeclaredLevelsForEveryInputSize() {
    kit().outputShapesMatchTheDeclaredLevelsForEveryInputSize();
  }

  @Test
  void gradientsReachEveryTrainableParameter() {
    kit().gradientsReachEveryTrainableParameter();
  }

  @Test
  void sameSeedGivesTheSameOutputAndAnotherSeedDoesNot() {
    kit().sameSeedGivesTheSameOutputAndAnotherSeedDoesNot();
  }

  @Test
  void savedParametersLoadIntoAFreshTowerWithIdenticalOutput() throws Exception {
    kit().savedParametersLoadIntoAFreshTowerWithIdenticalOutput();
  }

  @Test
  void inferenceTowerMatchesTheTrainedTowerInInferenceMode() {
    kit().inferenceTowerMatchesTheTrainedTowerInInferenceMode();
  }

  @Test
  void exportNamesAreUniqueAndNonEmpty() {
    kit().exportNamesAreUniqueAndNonEmpty();
  }

  @Test
  void everyDenseModeKeepsTheParametersAndItsDeclaredShapes() throws Exception {
    kit().everyDenseModeKeepsTheParametersAndItsDeclaredShapes();
  }
}
