package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.worker.caption.CaptionMetrics;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recaptioning's premise in miniature: a learned captioner trained on a small reference set with
 * quality captions captions held-out images far better than the alt-text does, measured with
 * BLEU-4 and CIDEr-D against the quality captions.
 */
class LearnedCaptionerQualityTest {

  static final int SIZE = 32;
  static final PluginConfig CONFIG = PluginConfig.of(
      "encoder", "tiny-conv", "encoder.channels", 32, "imageSize", SIZE,
      "width", 48, "layers", 2, "heads", 4, "maxLength", 8,
      "steps", 400, "batchSize", 16, "learningRate", 0.003);
  static final Extensions EXTENSIONS = Extensions.of(new TinyConvEncoder());

  static List<TinyScenes.Scene> train;
  static List<TinyScenes.Scene> heldOut;
  static LearnedSession session;

  @TempDir static Path stateDir;

  @BeforeAll
  static void trainOnReferences() throws Exception {
    train = TinyScenes.scenes(0, 240, SIZE, 11);
    heldOut = TinyScenes.scenes(10_000, 60, SIZE, 11);
    session = (LearnedSession) new LearnedCaptioner().open(CONFIG, 5, EXTENSIONS);
    long t0 = System.nanoTime();
    session.train(train.stream().map(TinyScenes.Scene::reference).toList());
    System.out.printf("learned captioner: trained %d steps in %.1f s, last loss %.4f%n",
        CONFIG.getInt("steps", 0), (System.nanoTime() - t0) / 1e9, session.lastLoss());
    session.save(stateDir);
  }

  @AfterAll
  static void close() {
    if (session != null) {
      session.close();
    }
  }

  static List<String> texts(List<Caption> captions) {
    return captions.stream().map(c -> c.present() ? c.text() : "").toList();
  }

  static List<List<String>> references() {
    return heldOut.stream().map(s -> List.of(s.quality())).toList();
  }

  @Test
  void learnedCaptionsOfHeldOutImagesBeatAltTextByAClearMargin() throws Exception {
    List<CaptionRequest> requests = heldOut.stream().map(TinyScenes.Scene::request).toList();
    List<String> learned = texts(session.caption(requests));
    List<CaptionRequest> beamRequests = requests.subList(0, 30);
    List<String> beam;
    try (Captioner.Session beamSession = new LearnedCaptioner().open(
        CONFIG.with("state", stateDir.toString()).with("decoding", "beam").with("beamWidth", 3), 5, EXTENSIONS)) {
      beam = texts(beamSession.caption(beamRequests));
    }
    List<String> alt;
    try (Captioner.Session altText = new AltTextCaptioner().open(PluginConfig.empty(), 5, EXTENSIONS)) {
      alt = texts(altText.caption(requests));
    }
    List<List<String>> refs = references();
    double bleuLearned = CaptionMetrics.bleu4(learned, refs);
    double bleuBeam = CaptionMetrics.bleu4(beam, refs.subList(0, 30));
    double bleuAlt = CaptionMetrics.bleu4(alt, refs);
    double ciderLearned = CaptionMetrics.ciderD(learned, refs);
    double ciderBeam = CaptionMetrics.ciderD(beam, refs.subList(0, 30));
    double ciderAlt = CaptionMetrics.ciderD(alt, refs);
    System.out.printf("held-out (%d images, beam on the first 30): BLEU-4 learned greedy %.3f, beam %.3f, alt-text %.3f; CIDEr-D learned greedy %.3f, beam %.3f, alt-text %.3f%n",
        heldOut.size(), bleuLearned, bleuBeam, bleuAlt, ciderLearned, ciderBeam, ciderAlt);
    for (int i = 0; i < 5; i++) {
      System.out.printf("  %s | learned: %s | beam: %s | alt: %s%n", heldOut.get(i).quality(), learned.get(i), beam.get(i), alt.get(i));
    }
    assertTrue(bleuLearned > bleuAlt + 0.4, "BLEU-4 learned " + bleuLearned + " vs alt-text " + bleuAlt);
    assertTrue(ciderLearned > ciderAlt + 3.0, "CIDEr-D learned " + ciderLearned + " vs alt-text " + ciderAlt);
    assertTrue(bleuBeam > bleuAlt + 0.4, "BLEU-4 beam " + bleuBeam + " vs alt-text " + bleuAlt);
    assertTrue(ciderBeam > ciderAlt + 3.0, "CIDEr-D beam " + ciderBeam + " vs alt-text " + ciderAlt);
  }

  @Test
  void aSavedStateCaptionsExactlyAsTheTrainedSession() throws Exception {
    List<CaptionRequest> requests = heldOut.subList(0, 12).stream().map(TinyScenes.Scene::request).toList();
    try (Captioner.Session loaded = new LearnedCaptioner().open(PluginConfig.of("encoder", "tiny-conv", "state", stateDir.toString()), 99, EXTENSIONS)) {
      assertEquals(session.caption(requests), loaded.caption(requests));
    }
  }
}
