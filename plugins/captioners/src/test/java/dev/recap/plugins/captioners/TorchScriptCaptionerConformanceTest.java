package dev.recap.plugins.captioners;

import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.conformance.CaptionerConformance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The conformance kit on a TorchScript model Recap wrote itself ({@link ColourCaptionModel}). */
class TorchScriptCaptionerConformanceTest extends CaptionerConformance {

  @TempDir static Path dir;

  @BeforeAll
  static void writeModel() throws IOException {
    ColourCaptionModel.write(dir);
  }

  @Override
  protected Captioner captioner() {
    return new TorchScriptCaptioner();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("model", dir.resolve("model.pt").toString(), "tokenizer", dir.resolve("tokenizer.json").toString(),
        "imageSize", 32, "maxLength", 8);
  }

  @Override
  protected List<CaptionRequest> requests() {
    return TinyScenes.scenes(100, 4, 32, 31).stream().map(TinyScenes.Scene::request).toList();
  }
}
