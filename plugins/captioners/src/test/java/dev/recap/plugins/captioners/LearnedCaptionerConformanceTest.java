package dev.recap.plugins.captioners;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.conformance.CaptionerConformance;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The conformance kit on a briefly trained learned captioner, opened from its saved state. */
class LearnedCaptionerConformanceTest extends CaptionerConformance {

  static final PluginConfig BASE = PluginConfig.of(
      "encoder", "tiny-conv", "encoder.channels", 16, "imageSize", 32,
      "width", 32, "layers", 1, "heads", 2, "maxLength", 8, "steps", 25, "batchSize", 8);

  @TempDir static Path state;

  @BeforeAll
  static void trainAndSave() throws Exception {
    try (Captioner.Session s = new LearnedCaptioner().open(BASE, 3, Extensions.of(new TinyConvEncoder()))) {
      s.train(TinyScenes.scenes(0, 32, 32, 4).stream().map(TinyScenes.Scene::reference).toList());
      s.save(state);
    }
  }

  @Override
  protected Captioner captioner() {
    return new LearnedCaptioner();
  }

  @Override
  protected PluginConfig config() {
    return BASE.with("state", state.toString());
  }

  @Override
  protected Extensions extensions() {
    return Extensions.of(new TinyConvEncoder());
  }

  @Override
  protected List<CaptionRequest> requests() {
    return TinyScenes.scenes(500, 4, 32, 4).stream().map(TinyScenes.Scene::request).toList();
  }
}
