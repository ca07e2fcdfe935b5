package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.Captioner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchScriptCaptionerTest {

  @TempDir static Path dir;

  static PluginConfig config() {
    return PluginConfig.of("model", dir.resolve("model.pt").toString(), "tokenizer", dir.resolve("tokenizer.json").toString(),
        "imageSize", 32, "maxLength", 8);
  }

  @BeforeAll
  static void writeModel() throws IOException {
    ColourCaptionModel.write(dir);
  }

  @Test
  void aModelRecapSavedAsTorchScriptCaptionsTheColours() throws IOException {
    List<TinyScenes.Scene> scenes = TinyScenes.scenes(0, 24, 32, 31);
    List<Caption> captions;
    try (Captioner.Session s = new TorchScriptCaptioner().open(config(), 1, Extensions.of())) {
      captions = s.caption(scenes.stream().map(TinyScenes.Scene::request).toList());
    }
    int right = 0;
    for (int i = 0; i < scenes.size(); i++) {
      String text = captions.get(i).text();
      assertTrue(text.matches("a (red|green|blue|yellow) shape"), text);
      right += text.contains(scenes.get(i).quality().split(" ")[1]) ? 1 : 0;
    }
    assertTrue(right >= 22, right + " of 24 colours right");
  }

  @Test
  void missingFilesAreNamedWithTheKey() {
    IOException e = assertThrows(IOException.class, () -> new TorchScriptCaptioner()
        .open(config().with("model", dir.resolve("nope.pt").toString()), 1, Extensions.of()));
    assertTrue(e.getMessage().contains("'model'") && e.getMessage().contains("nope.pt"), e.getMessage());
  }

  @Test
  void aStartTokenTheTokenizerLacksIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TorchScriptCaptioner()
        .open(config().with("startToken", "<bos>"), 1, Extensions.of()));
    assertTrue(e.getMessage().contains("'startToken'"), e.getMessage());
  }
}
