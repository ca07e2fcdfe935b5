package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnedCaptionerTest {

  static final PluginConfig TINY = PluginConfig.of(
      "encoder", "tiny-conv", "encoder.channels", 8, "imageSize", 16,
      "width", 16, "layers", 1, "heads", 2, "maxLength", 8, "steps", 6, "batchSize", 8);
  static final Extensions EXTENSIONS = Extensions.of(new TinyConvEncoder());

  @TempDir Path dir;

  private byte[] trainAndSave(long seed, Path state, List<CaptionRequest> probe, List<List<Caption>> out) throws IOException {
    try (Captioner.Session s = new LearnedCaptioner().open(TINY, seed, EXTENSIONS)) {
      s.train(TinyScenes.scenes(0, 16, 16, 8).stream().map(TinyScenes.Scene::reference).toList());
      out.add(s.caption(probe));
      s.save(state);
    }
    return Files.readAllBytes(state.resolve(LearnedState.PARAMETERS_FILE));
  }

  @Test
  void trainingIsDeterministicUnderASeed() throws IOException {
    List<CaptionRequest> probe = TinyScenes.scenes(100, 3, 16, 8).stream().map(TinyScenes.Scene::request).toList();
    List<List<Caption>> captions = new java.util.ArrayList<>();
    byte[] first = trainAndSave(21, dir.resolve("a"), probe, captions);
    byte[] second = trainAndSave(21, dir.resolve("b"), probe, captions);
    assertArrayEquals(first, second, "same seed, same data: identical parameters");
    assertEquals(captions.get(0), captions.get(1));
    byte[] other = trainAndSave(22, dir.resolve("c"), probe, captions);
    assertFalse(java.util.Arrays.equals(first, other), "another seed gives other parameters");
  }

  @Test
  void trainingReportsEveryStepWithItsLossAndTheSameTrainingAsWithoutProgress() throws IOException {
    List<CaptionRequest> refs = TinyScenes.scenes(0, 16, 16, 8).stream().map(TinyScenes.Scene::reference).toList();
    List<String> reported = new java.util.ArrayList<>();
    List<Double> losses = new java.util.ArrayList<>();
    try (Captioner.Session s = new LearnedCaptioner().open(TINY, 21, EXTENSIONS)) {
      s.train(refs, (step, steps, loss) -> {
        reported.add(step + "/" + steps);
        losses.add(loss);
      });
      s.save(dir.resolve("with"));
    }
    assertEquals(List.of("1/6", "2/6", "3/6", "4/6", "5/6", "6/6"), reported);
    assertTrue(losses.stream().allMatch(l -> Double.isFinite(l) && l > 0), "losses " + losses);
    try (Captioner.Session s = new LearnedCaptioner().open(TINY, 21, EXTENSIONS)) {
      s.train(refs);
      s.save(dir.resolve("without"));
    }
    assertArrayEquals(Files.readAllBytes(dir.resolve("without").resolve(LearnedState.PARAMETERS_FILE)),
        Files.readAllBytes(dir.resolve("with").resolve(LearnedState.PARAMETERS_FILE)),
        "reporting progress must not change the training");
  }

  @Test
  void decodingAfterTheCachedImagePrefixEqualsTheFullForwardPass() throws IOException {
    try (LearnedSession s = (LearnedSession) new LearnedCaptioner().open(TINY, 3, EXTENSIONS)) {
      s.train(TinyScenes.scenes(0, 16, 16, 8).stream().map(TinyScenes.Scene::reference).toList());
      try (NDManager m = s.manager().newSubManager()) {
        ParameterStore ps = new ParameterStore(m, false);
        float[] pixels = new float[2 * 3 * 16 * 16];
        ImagePixels.writeChw(TinyScenes.scene(200, 16, 8).image(), 16, pixels, 0);
        ImagePixels.writeChw(TinyScenes.scene(201, 16, 8).image(), 16, pixels, 3 * 16 * 16);
        NDList encoded = s.network().encode(ps, m.create(pixels, new Shape(2, 3, 16, 16)), false);
        NDArray tokens = m.create(new long[] {1, 4, 5, 6, 1, 7, 8, 4}, new Shape(2, 4));
        NDArray full = s.network().decode(ps, encoded, tokens, false);
        NDArray cached = s.network().decode(ps, s.network().prefix(ps, encoded), tokens);
        assertEquals(full.getShape(), cached.getShape());
        float maxDiff = full.sub(cached).abs().max().getFloat();
        assertTrue(maxDiff < 1e-4f, "cached and full logits differ by " + maxDiff);
      }
    }
  }

  @Test
  void aDivergingTrainingFailsNamingTheStepInsteadOfEndingWithNaN() throws IOException {
    // an absurd learning rate: after the first Adam step the weights are ~1e30 and the forward pass overflows
    try (Captioner.Session s = new LearnedCaptioner().open(TINY.with("learningRate", 1e30), 4, EXTENSIONS)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> s.train(TinyScenes.scenes(0, 16, 16, 8).stream().map(TinyScenes.Scene::reference).toList()));
      assertTrue(e.getMessage().contains("at step 1 of 6") && e.getMessage().contains("'learningRate'"), e.getMessage());
    }
  }

  @Test
  void anUntrainedSessionGivesNoCaptionAndSaysWhatToDo() throws IOException {
    try (Captioner.Session s = new LearnedCaptioner().open(TINY, 1, EXTENSIONS)) {
      Caption c = s.caption(List.of(TinyScenes.scene(0, 16, 1).request())).get(0);
      assertFalse(c.present());
      assertTrue(c.reason().contains("train") && c.reason().contains("state"), c.reason());
    }
  }

  @Test
  void configErrorsNameTheKey() {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new LearnedCaptioner().open(PluginConfig.of("imageSize", 16), 1, EXTENSIONS));
    assertTrue(missing.getMessage().contains("'encoder'"), missing.getMessage());
    IllegalArgumentException decoding = assertThrows(IllegalArgumentException.class,
        () -> new LearnedCaptioner().open(TINY.with("decoding", "sampling"), 1, EXTENSIONS));
    assertTrue(decoding.getMessage().contains("'decoding'"), decoding.getMessage());
  }

  @Test
  void anUnknownEncoderIsNamedWithTheAvailableOnes() throws IOException {
    try (Captioner.Session s = new LearnedCaptioner().open(TINY.with("encoder", "vit"), 1, EXTENSIONS)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> s.train(List.of(TinyScenes.scene(0, 16, 1).reference())));
      assertTrue(e.getMessage().contains("'vit'") && e.getMessage().contains("tiny-conv"), e.getMessage());
    }
  }

  @Test
  void aStateDirectoryThatIsNotOneIsReported() {
    IOException e = assertThrows(IOException.class,
        () -> new LearnedCaptioner().open(TINY.with("state", dir.toString()), 1, EXTENSIONS));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }
}
