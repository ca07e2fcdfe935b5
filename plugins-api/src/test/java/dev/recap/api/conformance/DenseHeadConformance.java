package dev.recap.api.conformance;

import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link DenseHead} contract as JUnit tests: a plugin's test extends this class and provides
 * the head and a small configuration; one test per check of {@link DenseHeadKit}.
 */
public abstract class DenseHeadConformance {

  /** Image side the random feature maps stand for; a multiple of every stride used. */
  protected static final int IMAGE_SIZE = DenseHeadKit.IMAGE_SIZE;

  /** The head under test. */
  protected abstract DenseHead head();

  /** A small configuration for the head (resolved through {@link DenseHead#resolve}). */
  protected PluginConfig config() {
    return PluginConfig.empty();
  }

  /** The encoder level layouts to build the head on; by default {@link DenseHeadKit#defaultLevelSets()}. */
  protected List<List<FeatureLevel>> levelSets() {
    return DenseHeadKit.defaultLevelSets();
  }

  /** The kit bound to this test's head, configuration and level sets. */
  protected DenseHeadKit kit() {
    return new DenseHeadKit(head(), config(), levelSets());
  }

  @Test
  void declaresAnIdAndAtLeastOneTask() throws Exception {
    kit().declaresAnIdAndAtLeastOneTask();
  }

  @Test
  void refusesATaskItDoesNotSupport() throws Exception {
    kit().refusesATaskItDoesNotSupport();
  }

  @Test
  void predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepth() throws Exception {
    kit().predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepth();
  }

  @Test
  void lossIgnoresPixelsWithoutLabels() throws Exception {
    kit().lossIgnoresPixelsWithoutLabels();
  }

  @Test
  void gradientsReachEveryTrainableParameter() throws Exception {
    kit().gradientsReachEveryTrainableParameter();
  }

  @Test
  void sameSeedGivesSameOutput() throws Exception {
    kit().sameSeedGivesSameOutput();
  }

  @Test
  void savedParametersReloadToIdenticalOutput() throws Exception {
    kit().savedParametersReloadToIdenticalOutput();
  }

  @Test
  void trainingOnAFixedBatchLowersTheLoss() throws Exception {
    kit().trainingOnAFixedBatchLowersTheLoss();
  }
}
