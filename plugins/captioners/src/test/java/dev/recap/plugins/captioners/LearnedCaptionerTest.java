package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    return Files.readAllBytes(state.resolve(LearnedSession.PARAMETERS_FILE));
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
