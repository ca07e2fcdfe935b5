package dev.recap.plugins.mci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageTower;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MciEncoderTest {

  private final MciEncoder encoder = new MciEncoder();

  private PluginConfig config(Object... keyValues) {
    return encoder.resolve(PluginConfig.of(keyValues));
  }

  /** Trainable parameters, as PyTorch's {@code parameters()} counts them (no BN statistics). */
  private static long trainable(ImageTower tower) {
    long n = 0;
    for (Pair<String, Parameter> p : tower.block().getParameters()) {
      if (p.getValue().requiresGradient()) {
        n += p.getValue().getShape().size();
      }
    }
    return n;
  }

  /**
   * MobileCLIP's published image-encoder sizes (README of apple/ml-mobileclip and the paper,
   * arXiv 2311.17049): MCi0 11.4M, MCi1 21.5M, MCi2 35.7M, counted on the reparameterized model
   * with its 512-wide GlobalPool2D projection. Tolerance 1% (the published values are rounded to
   * 0.1M).
   */
  @Test
  void reparameterizedCountsMatchMobileClipPublishedImageEncoderSizes() {
    String[] presets = {"mci0", "mci1", "mci2"};
    double[] published = {11.4e6, 21.5e6, 35.7e6};
    for (int i = 0; i < presets.length; i++) {
      long fused = trainable(encoder.build(config("preset", presets[i], "projectionDim", 512, "reparameterized", true)));
      long train = trainable(encoder.build(config("preset", presets[i], "projectionDim", 512)));
      System.out.printf("%s: %d parameters reparameterized, %d at train time (projection 512 included)%n",
          presets[i], fused, train);
      double error = Math.abs(fused - published[i]) / published[i];
      assertTrue(error <= 0.01, presets[i] + ": " + fused + " is " + (100 * error) + "% from " + published[i]);
      assertTrue(train > fused, presets[i] + ": the train-time branches must add parameters");
    }
  }

  @Test
  void declaredShapesAreWhatInitializationAllocates() {
    ImageTower tower = encoder.build(config("preset", "mci0"));
    try (NDManager manager = NDManager.newBaseManager()) {
      tower.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
      for (Pair<String, Parameter> p : tower.block().getParameters()) {
        assertEquals(p.getValue().getShape(), p.getValue().getArray().getShape(), p.getKey());
      }
    }
  }

  @Test
  void fusedTowerMatchesTheTrainTimeTowerWithin1e4() {
    PluginConfig config = config("preset", "mci-tiny", "projectionDim", 24);
    ImageTower trained = encoder.build(config);
    // Non-trivial BN statistics, affine parameters and layer scales, so every branch matters
    // (at their defaults, 1e-5 layer scales and identity BNs would hide fusion mistakes).
    Random seeds = new Random(9);
    trained.block().setInitializer(uniform(0.5f, 2f, seeds.nextInt()), p -> p.getType() == Parameter.Type.RUNNING_VAR);
    trained.block().setInitializer(uniform(-0.3f, 0.3f, seeds.nextInt()),
        p -> p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.BETA
            || p.getType() == Parameter.Type.BIAS);
    trained.block().setInitializer(uniform(0.5f, 1.5f, seeds.nextInt()), p -> p.getType() == Parameter.Type.GAMMA);
    trained.block().setInitializer(uniform(0.2f, 1f, seeds.nextInt()), p -> p.getName().startsWith("layer_scale"));
    try (NDManager manager = NDManager.newBaseManager()) {
      trained.block().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 64, 64));
      ImageTower fused = encoder.inferenceTower(config, trained, manager);
      assertTrue(trainable(fused) < trainable(trained), "fusion must remove the branch parameters");
      NDArray images = manager.randomNormal(new Shape(2, 3, 64, 64));
      NDList expected = trained.block().forward(new ParameterStore(manager, false), new NDList(images), false);
      NDList actual = fused.block().forward(new ParameterStore(manager, false), new NDList(images), false);
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        float diff = expected.get(i).sub(actual.get(i)).abs().max().getFloat();
        float magnitude = expected.get(i).abs().max().getFloat();
        System.out.printf("output %d: max |fused - unfused| = %.3g (max |output| %.3g)%n", i, diff, magnitude);
        assertTrue(magnitude > 0.1, "output " + i + " is too small for the comparison to mean anything");
        assertTrue(diff <= 1e-4, "output " + i + " differs by " + diff);
      }
    }
  }

  private static Initializer uniform(float low, float high, int seed) {
    Random random = new Random(seed);
    return (manager, shape, dataType) -> {
      float[] v = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < v.length; i++) {
        v[i] = low + (high - low) * random.nextFloat();
      }
      return manager.create(v, shape).toType(dataType, false);
    };
  }

  @Test
  void levelZeroIsStage3AtStride16AndTheOthersRunFineToCoarse() {
    ImageTower tower = encoder.build(config("preset", "mci0"));
    assertEquals(List.of(new FeatureLevel(256, 16), new FeatureLevel(64, 4), new FeatureLevel(128, 8),
        new FeatureLevel(512, 32)), tower.featureLevels());
    assertEquals(1024, tower.embeddingDim());
    assertEquals(32, tower.inputMultiple());
  }

  @Test
  void stride8LevelZeroIsStage2WithStage3UpsampledAndAllStagesFollowFineToCoarse() {
    ImageTower tower = encoder.build(config("preset", "mci0", "dense", "stride8"));
    assertEquals(List.of(new FeatureLevel(128 + 256, 8), new FeatureLevel(64, 4), new FeatureLevel(128, 8),
        new FeatureLevel(256, 16), new FeatureLevel(512, 32)), tower.featureLevels());
  }

  @Test
  void stride8ConcatenatesStage2WithStage3ResizedBilinearlyAndKeepsTheParameters() throws Exception {
    ImageTower stage3 = encoder.build(config("preset", "mci-tiny"));
    ImageTower stride8 = encoder.build(config("preset", "mci-tiny", "dense", "stride8"));
    try (NDManager manager = NDManager.newBaseManager()) {
      Shape input = new Shape(2, 3, 64, 64);
      stage3.block().initialize(manager, DataType.FLOAT32, input);
      stride8.block().initialize(manager, DataType.FLOAT32, input);
      // the same parameters, so a checkpoint of one loads into the other
      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      stage3.block().saveParameters(new DataOutputStream(saved));
      stride8.block().loadParameters(manager, new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
      NDArray images = manager.randomUniform(-1, 1, input);
      NDList a = stage3.block().forward(new ParameterStore(manager, false), new NDList(images), false);
      NDList b = stride8.block().forward(new ParameterStore(manager, false), new NDList(images), false);
      NDArray stage2Map = a.get(3);  // stage3 mode: pooled, stage 3, stage 1, stage 2, stage 4
      NDArray stage3Map = a.get(1);
      NDArray fused = b.get(1);
      assertEquals(new Shape(2, 32 + 64, 8, 8), fused.getShape());
      assertTrue(fused.get(":, 0:32").allClose(stage2Map, 0, 0, false), "first channels are stage 2 itself");
      // bilinear 2x (align_corners=False) of stage 3: fine cell 1 is 0.75 x coarse 0 + 0.25 x coarse 1
      NDArray expected = stage3Map.get(":, :, 0, 0").mul(0.75f * 0.75f).add(stage3Map.get(":, :, 0, 1").mul(0.75f * 0.25f))
          .add(stage3Map.get(":, :, 1, 0").mul(0.25f * 0.75f)).add(stage3Map.get(":, :, 1, 1").mul(0.25f * 0.25f));
      assertTrue(fused.get(":, 32:, 1, 1").allClose(expected, 1e-5, 1e-6, false), "then stage 3, resized bilinearly");
      assertTrue(b.get(0).allClose(a.get(0), 0, 0, false), "the pooled embedding does not change");
    }
  }

  /** vit-tiny's parameter count (the vit plugin's preset, as a pretrain result reports it). */
  private static final long VIT_TINY_PARAMETERS = 826_624;

  @Test
  void microPresetIsAboutSixTimesSmallerThanVitTiny() {
    ImageTower micro = encoder.build(config("preset", "mci-micro"));
    try (NDManager manager = NDManager.newBaseManager()) {
      micro.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
      long n = 0;
      for (Pair<String, Parameter> p : micro.block().getParameters()) {
        n += p.getValue().getArray().getShape().size();
      }
      assertEquals(135_052, n);
      double ratio = (double) VIT_TINY_PARAMETERS / n;
      assertTrue(ratio > 5.5 && ratio < 6.5, "vit-tiny / mci-micro = " + ratio);
    }
  }

  @Test
  void badConfigurationsNameTheKey() {
    IllegalArgumentException layers = assertThrows(IllegalArgumentException.class,
        () -> encoder.build(config("layers", List.of(2, 6, 10))));
    assertTrue(layers.getMessage().contains("'layers'"), layers.getMessage());
    IllegalArgumentException head = assertThrows(IllegalArgumentException.class,
        () -> encoder.build(config("preset", "mci-tiny", "headDim", 48)));
    assertTrue(head.getMessage().contains("'headDim'"), head.getMessage());
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
        () -> encoder.build(config("dims", "64,128,x,512")));
    assertTrue(dims.getMessage().contains("'dims'"), dims.getMessage());
    IllegalArgumentException dense = assertThrows(IllegalArgumentException.class,
        () -> encoder.build(config("preset", "mci-tiny", "dense", "blocks")));
    assertTrue(dense.getMessage().contains("'dense'") && dense.getMessage().contains("stride8"), dense.getMessage());
  }
}
