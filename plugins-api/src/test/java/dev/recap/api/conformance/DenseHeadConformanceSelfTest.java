package dev.recap.api.conformance;

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
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.dense.MaskedL1Loss;
import dev.recap.api.dense.SegmentationCrossEntropy;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kit itself: a small well-behaved head (a 1x1 convolution of the finest feature level,
 * upsampled to the image by repetition; depth through exp) passes every check, and heads that
 * each break one rule fail exactly the matching check.
 */
class DenseHeadConformanceSelfTest {

  /** The one rule a {@link PointwiseHead} breaks. */
  enum Fault {
    NONE,
    /** An id with upper-case letters. */
    UPPER_CASE_ID,
    /** Says it does not do depth, yet builds a depth head when asked. */
    BUILDS_A_TASK_IT_DOES_NOT_SUPPORT,
    /** Depth straight from the convolution, so it can be negative. */
    NEGATIVE_DEPTH,
    /** A depth loss over every pixel, including those without depth. */
    LOSS_COUNTS_PIXELS_WITHOUT_DEPTH,
    /** A parameter the output does not use. */
    UNUSED_PARAMETER,
    /** The bias is initialized from an unseeded random source, not the engine's seed. */
    UNSEEDED_INITIALIZATION,
    /** A per-class offset drawn at initialization that is no parameter, so it is not saved. */
    STATE_OUTSIDE_THE_PARAMETERS,
    /** The gradient reaching the parameters has its sign flipped (a slip in a hand-written backward). */
    GRADIENT_POINTS_UPHILL
  }

  private static final class PointwiseHead implements DenseHead {
    private final Fault fault;

    PointwiseHead(Fault fault) {
      this.fault = fault;
    }

    @Override
    public String id() {
      return fault == Fault.UPPER_CASE_ID ? "Pointwise" : "pointwise";
    }

    @Override
    public boolean supports(DenseTask.Kind kind) {
      return kind == DenseTask.Kind.SEGMENTATION || fault != Fault.BUILDS_A_TASK_IT_DOES_NOT_SUPPORT;
    }

    @Override
    public Model build(DenseTask task, List<FeatureLevel> levels, PluginConfig config) {
      if (!supports(task.kind()) && fault != Fault.BUILDS_A_TASK_IT_DOES_NOT_SUPPORT) {
        throw new IllegalArgumentException(id() + " does not support " + task.kind());
      }
      boolean depth = task.kind() == DenseTask.Kind.DEPTH;
      Loss loss = !depth ? new SegmentationCrossEntropy()
          : fault == Fault.LOSS_COUNTS_PIXELS_WITHOUT_DEPTH ? new UnmaskedL1() : new MaskedL1Loss();
      return new Model(new Pointwise(levels.get(0), task, fault), loss);
    }
  }

  /** Mean absolute depth error over every pixel, valid or not. */
  private static final class UnmaskedL1 extends Loss {
    UnmaskedL1() {
      super("unmasked_l1");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
      NDArray depth = predictions.singletonOrThrow().squeeze(1);
      return depth.sub(labels.singletonOrThrow().toType(depth.getDataType(), false)).abs().mean();
    }
  }

  private static final class Pointwise extends AbstractBlock {
    private final FeatureLevel level;
    private final DenseTask task;
    private final Fault fault;
    private final Parameter weight;
    private final Parameter bias;
    private NDArray offset;

    Pointwise(FeatureLevel level, DenseTask task, Fault fault) {
      this.level = level;
      this.task = task;
      this.fault = fault;
      int classes = task.numClasses();
      weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(classes, level.channels(), 1, 1)).optInitializer(new NormalInitializer(0.5f)).build());
      Initializer biasInit = fault == Fault.UNSEEDED_INITIALIZATION ? new UnseededNormal() : new ConstantInitializer(0f);
      bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
          .optShape(new Shape(classes)).optInitializer(biasInit).build());
      if (fault == Fault.UNUSED_PARAMETER) {
        addParameter(Parameter.builder().setName("unused").setType(Parameter.Type.WEIGHT)
            .optShape(new Shape(classes)).optInitializer(new NormalInitializer(0.1f)).build());
      }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      if (fault == Fault.STATE_OUTSIDE_THE_PARAMETERS) {
        // drawn under the engine's seed, but never saved
        offset = manager.randomNormal(new Shape(1, task.numClasses(), 1, 1));
      }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.get(0);
      NDArray w = ps.getValue(weight, x.getDevice(), training);
      NDArray b = ps.getValue(bias, x.getDevice(), training);
      if (fault == Fault.GRADIENT_POINTS_UPHILL) {
        // the same values, with the gradient's sign flipped
        w = w.stopGradient().mul(2).sub(w);
        b = b.stopGradient().mul(2).sub(b);
      }
      NDArray y = Conv2d.conv2d(x, w, b).singletonOrThrow();
      if (offset != null) {
        y = y.add(offset);
      }
      y = y.repeat(2, level.stride()).repeat(3, level.stride());
      if (task.kind() == DenseTask.Kind.DEPTH && fault != Fault.NEGATIVE_DEPTH) {
        y = y.exp();
      }
      return new NDList(y);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      return new Shape[] {new Shape(s.get(0), task.numClasses(), s.get(2) * level.stride(), s.get(3) * level.stride())};
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

  private static DenseHeadKit kit(Fault fault) {
    return new DenseHeadKit(new PointwiseHead(fault), PluginConfig.empty());
  }

  /** A well-behaved head, through the JUnit base class plugins extend. */
  static class Conforming extends DenseHeadConformance {
    @Override
    protected DenseHead head() {
      return new PointwiseHead(Fault.NONE);
    }
  }

  @Test
  void aWellBehavedHeadPassesEveryCheck() {
    DenseHeadKit kit = new Conforming().kit();
    KitChecks.assertAllPass(kit);
    assertTrue(kit.run().passed(), kit.run().summary());
  }

  @Test
  void anUpperCaseIdFailsOnlyTheIdCheck() {
    KitChecks.assertOnlyFails(kit(Fault.UPPER_CASE_ID), "declaresAnIdAndAtLeastOneTask");
  }

  @Test
  void buildingATaskItDoesNotSupportFailsOnlyTheRefusalCheck() {
    KitChecks.assertOnlyFails(kit(Fault.BUILDS_A_TASK_IT_DOES_NOT_SUPPORT), "refusesATaskItDoesNotSupport");
  }

  @Test
  void negativeDepthFailsOnlyThePredictionCheck() {
    KitChecks.assertOnlyFails(kit(Fault.NEGATIVE_DEPTH), "predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepth");
  }

  @Test
  void aLossOverPixelsWithoutDepthFailsOnlyTheIgnoreCheck() {
    KitChecks.assertOnlyFails(kit(Fault.LOSS_COUNTS_PIXELS_WITHOUT_DEPTH), "lossIgnoresPixelsWithoutLabels");
  }

  @Test
  void aParameterTheOutputDoesNotUseFailsOnlyTheGradientCheck() {
    KitChecks.assertOnlyFails(kit(Fault.UNUSED_PARAMETER), "gradientsReachEveryTrainableParameter");
  }

  @Test
  void anUnseededInitializationFailsOnlyTheSeedCheck() {
    KitChecks.assertOnlyFails(kit(Fault.UNSEEDED_INITIALIZATION), "sameSeedGivesSameOutput");
  }

  @Test
  void stateOutsideTheParametersFailsOnlyTheSaveAndLoadCheck() {
    KitChecks.assertOnlyFails(kit(Fault.STATE_OUTSIDE_THE_PARAMETERS), "savedParametersReloadToIdenticalOutput");
  }

  @Test
  void aGradientPointingUphillFailsOnlyTheTrainingCheck() {
    KitChecks.assertOnlyFails(kit(Fault.GRADIENT_POINTS_UPHILL), "trainingOnAFixedBatchLowersTheLoss");
  }
}
