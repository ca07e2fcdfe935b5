package dev.recap.coordinator.console;

import dev.recap.coordinator.testing.PluginJar;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A third-party PF4J plugin jar built at test time (compiled against the test class path, where
 * plugins-api and pf4j sit as the workers' dependencies), so the console's workers advertise a
 * real loaded plugin without the coordinator compiling against plugins-api.
 */
final class FixturePlugin {

  static final String EXTENSION_ID = "echo-source";

  private static final String SOURCE = """
      package acme.echo;

      import dev.recap.api.PluginConfig;
      import dev.recap.api.data.SampleSource;

      @org.pf4j.Extension
      public class EchoSource implements SampleSource {
        public String id() { return "echo-source"; }
        public String version() { return "1.2.3"; }
        public Generator open(PluginConfig config, long seed) {
          throw new UnsupportedOperationException("echo-source generates nothing, seed " + seed);
        }
      }
      """;

  /**
   * Two image encoders in one plugin ({@code acme-kit}) for the conformance kits: {@code
   * patch-encoder} keeps the contract, {@code broken-encoder} declares its dense map at stride 2
   * while computing it at stride 4 (a wrong output shape). Both have a {@code *-tiny} preset, so
   * a worker runs their kits.
   */
  static final String CONFORMANCE_SOURCE = """
      package acme.kit;

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
      import java.util.Map;

      @org.pf4j.Extension
      public class PatchEncoder implements ImageEncoder {
        public String id() { return "patch-encoder"; }
        public String version() { return "1.0.0"; }
        public Map<String, PluginConfig> presets() { return Map.of("patch-tiny", PluginConfig.of("channels", 4)); }
        protected int declaredStride() { return 4; }
        public ImageTower build(PluginConfig config) {
          int c = config.getInt("channels", 4);
          return new ImageTower(new Patches(c, declaredStride()), c, List.of(new FeatureLevel(c, declaredStride())), 4);
        }

        /** A 4x4 stride-4 convolution: dense map = its output, pooled = its spatial mean. */
        static final class Patches extends AbstractBlock {
          private final Parameter weight;
          private final int channels;
          private final int declaredStride;

          Patches(int channels, int declaredStride) {
            this.channels = channels;
            this.declaredStride = declaredStride;
            weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(channels, 3, 4, 4)).optInitializer(new NormalInitializer(0.1f)).build());
          }

          @Override
          protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.singletonOrThrow();
            NDArray map = Conv2d.conv2d(x, ps.getValue(weight, x.getDevice(), training), null, new Shape(4, 4)).singletonOrThrow();
            Shape s = map.getShape();
            return new NDList(map.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(new int[] {2}), map);
          }

          @Override
          public Shape[] getOutputShapes(Shape[] in) {
            Shape s = in[0];
            return new Shape[] {new Shape(s.get(0), channels),
                new Shape(s.get(0), channels, s.get(2) / declaredStride, s.get(3) / declaredStride)};
          }

          @Override
          protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}
        }
      }
      """;

  static final String BROKEN_SOURCE = """
      package acme.kit;

      /** Declares stride 2 but computes stride 4: its dense output has the wrong shape. */
      @org.pf4j.Extension
      public class BrokenEncoder extends PatchEncoder {
        public String id() { return "broken-encoder"; }
        protected int declaredStride() { return 2; }
      }
      """;

  private FixturePlugin() {}

  /** Writes {@code pluginsDir/echo-1.2.3.jar}. */
  static Path build(Path work, Path pluginsDir) throws IOException {
    return build(work, pluginsDir, "echo", "1.2.3", Map.of("acme.echo.EchoSource", SOURCE));
  }

  /** Writes {@code pluginsDir/acme-kit-1.0.0.jar} with {@code patch-encoder} and {@code broken-encoder}. */
  static Path buildConformanceFixture(Path work, Path pluginsDir) throws IOException {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("acme.kit.PatchEncoder", CONFORMANCE_SOURCE);
    sources.put("acme.kit.BrokenEncoder", BROKEN_SOURCE);
    return build(work, pluginsDir, "acme-kit", "1.0.0", sources);
  }

  /**
   * Compiles {@code sources} (extension class name to source) against the test class path and
   * packs them as the PF4J plugin jar {@code pluginsDir/<pluginId>-<version>.jar}, every source
   * class an extension, as a third party would.
   */
  static Path build(Path work, Path pluginsDir, String pluginId, String version, Map<String, String> sources) throws IOException {
    return PluginJar.compile(work, pluginsDir, pluginId, version, sources);
  }
}
