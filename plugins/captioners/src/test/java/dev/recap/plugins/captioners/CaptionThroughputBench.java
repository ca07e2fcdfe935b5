package dev.recap.plugins.captioners;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.util.List;

/**
 * Captions per second of one worker (one session, one thread of control) for {@code alt-text}
 * (the reference), {@code grounded} and {@code learned} (greedy and beam) at 64 px. Run with:
 *
 * <pre>java -cp ... dev.recap.plugins.captioners.CaptionThroughputBench [images] [batch]</pre>
 *
 * The learned captioner is briefly trained first (throughput does not depend on how well); its
 * image encoder is the test fixture {@code tiny-conv} (stride 8), not a ViT.
 */
public final class CaptionThroughputBench {

  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    List<CaptionRequest> requests = TinyScenes.scenes(0, images, 64, 1).stream().map(TinyScenes.Scene::request).toList();
    Extensions ext = Extensions.of(new TinyConvEncoder());
    PluginConfig learned = PluginConfig.of("encoder", "tiny-conv", "encoder.channels", 32, "imageSize", 64,
        "width", 48, "layers", 2, "heads", 4, "maxLength", 8, "steps", 20, "batchSize", 16);
    double alt = measure("alt-text", new AltTextCaptioner().open(PluginConfig.empty(), 1, ext), requests, batch);
    measure("grounded", new GroundedCaptioner().open(PluginConfig.empty(), 1, ext), requests, batch, alt);
    try (Captioner.Session s = new LearnedCaptioner().open(learned, 1, ext)) {
      s.train(TinyScenes.scenes(100_000, 64, 64, 1).stream().map(TinyScenes.Scene::reference).toList());
      measure("learned greedy", s, requests, batch, alt);
    }
    try (Captioner.Session s = new LearnedCaptioner().open(learned.with("decoding", "beam").with("beamWidth", 3), 1, ext)) {
      s.train(TinyScenes.scenes(100_000, 64, 64, 1).stream().map(TinyScenes.Scene::reference).toList());
      measure("learned beam=3", s, requests.subList(0, Math.min(64, images)), batch, alt);
    }
  }

  private static double measure(String name, Captioner.Session session, List<CaptionRequest> requests, int batch, double... reference) {
    for (int i = 0; i < Math.min(requests.size(), batch * 2); i += batch) { // warm-up
      session.caption(requests.subList(i, Math.min(requests.size(), i + batch)));
    }
    long t0 = System.nanoTime();
    int n = 0;
    for (int i = 0; i < requests.size(); i += batch) {
      n += session.caption(requests.subList(i, Math.min(requests.size(), i + batch))).size();
    }
    double perSecond = n / ((System.nanoTime() - t0) / 1e9);
    System.out.printf("%-16s %6d captions  %12.1f captions/s%s%n", name, n, perSecond,
        reference.length == 0 ? "  (reference)" : String.format("  %.2e x alt-text", perSecond / reference[0]));
    return perSecond;
  }
}
