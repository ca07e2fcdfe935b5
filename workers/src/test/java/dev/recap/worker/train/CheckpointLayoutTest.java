package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.nn.Parameter;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.node.WorkerPlugins;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The names and shapes Recap exports are exactly those of the reference model definitions,
 * written out as fixtures that were derived from the references, not from Recap: OpenCLIP's
 * ViT-S-32 (the vit and text-transformer plugins) and MobileCLIP-S0's image encoder (mci0).
 * Nothing is initialized: the shapes are the parameters' declared ones.
 */
class CheckpointLayoutTest {

  @TempDir
  static Path tmp;

  private static WorkerPlugins plugins;

  @BeforeAll
  static void loadPlugins() throws IOException {
    plugins = EncoderPluginJars.load(tmp);
  }

  @AfterAll
  static void closePlugins() {
    plugins.close();
  }

  /** A tokenizer of OpenCLIP's size (49408 ids, 77 positions); only its sizes matter here. */
  record ClipSizedTokenizer() implements TextTokenizer {
    @Override
    public int vocabSize() {
      return 49408;
    }

    @Override
    public int contextLength() {
      return 77;
    }

    @Override
    public long[] encode(String text) {
      throw new UnsupportedOperationException("sizes only");
    }

    @Override
    public String decode(long[] ids) {
      throw new UnsupportedOperationException("sizes only");
    }

    @Override
    public long endOfText() {
      return 49407;
    }

    @Override
    public long startOfText() {
      return 49406;
    }

    @Override
    public long padding() {
      return 0;
    }

    @Override
    public void save(Path directory) {
      throw new UnsupportedOperationException("sizes only");
    }
  }

  private static ClipModel model(String image, Map<String, Object> imageConfig, Map<String, Object> textConfig, int embedDim) {
    Extensions ext = plugins.extensions();
    ImageEncoder ie = ext.get(ImageEncoder.class, image);
    TextEncoder te = ext.get(TextEncoder.class, "text-transformer");
    return new ClipModel(ie.build(ie.resolve(PluginConfig.of(imageConfig))),
        te.build(te.resolve(PluginConfig.of(textConfig)), new ClipSizedTokenizer()), embedDim);
  }

  private static ClipCheckpoint checkpoint(String image) {
    Extensions ext = plugins.extensions();
    return new ClipCheckpoint(ext.get(ImageEncoder.class, image)::exportName,
        ext.get(TextEncoder.class, "text-transformer")::exportName);
  }

  /** name -> shape ("384,3,32,32"; "" for 0-d) of a fixture, comment lines skipped. */
  private static Map<String, String> fixture(String resource) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream in = CheckpointLayoutTest.class.getResourceAsStream(resource)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] parts = line.split("\t", -1);
          out.put(parts[0], parts[1]);
        }
      }
    }
    return out;
  }

  private static Map<String, String> exported(Map<String, Parameter> named) {
    Map<String, String> out = new TreeMap<>();
    named.forEach((name, p) -> out.put(name, String.join(",",
        Arrays.stream(p.getShape().getShape()).mapToObj(Long::toString).toArray(String[]::new))));
    return out;
  }

  @Test
  void vitAndTextTransformerExportExactlyOpenClipsViTS32StateDict() throws IOException {
    Map<String, String> expected = fixture("/openclip/ViT-S-32.state_dict.tsv");
    ClipModel model = model("vit", Map.of("preset", "vit-s-32"), Map.of("width", 384, "depth", 12, "heads", 6, "context", 77), 384);
    Map<String, String> actual = exported(checkpoint("vit").named(model));
    assertEquals(302, expected.size(), "fixture read whole");
    assertEquals(expected, actual);
  }

  @Test
  void mciExportsExactlyMobileClipS0sImageEncoderStateDict() throws IOException {
    Map<String, String> expected = fixture("/mobileclip/mci0.image_encoder.tsv");
    ClipModel model = model("mci", Map.of("preset", "mci0"), Map.of("preset", "text-tiny"), 512);
    Map<String, String> actual = new TreeMap<>(exported(checkpoint("mci").named(model)));
    actual.keySet().removeIf(name -> !name.startsWith(ClipCheckpoint.Layout.MOBILECLIP.imagePrefix()));
    assertEquals(669, expected.size(), "fixture read whole");
    assertEquals(expected, actual);
  }
}
