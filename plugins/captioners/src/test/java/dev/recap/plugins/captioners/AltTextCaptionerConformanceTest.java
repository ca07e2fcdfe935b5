package dev.recap.plugins.captioners;

import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.conformance.CaptionerConformance;
import java.util.ArrayList;
import java.util.List;

class AltTextCaptionerConformanceTest extends CaptionerConformance {

  @Override
  protected Captioner captioner() {
    return new AltTextCaptioner();
  }

  @Override
  protected List<CaptionRequest> requests() {
    List<CaptionRequest> out = new ArrayList<>();
    for (TinyScenes.Scene s : TinyScenes.scenes(0, 4, 16, 1)) {
      out.add(s.request());
    }
    TinyScenes.Scene s = TinyScenes.scene(9, 16, 1);
    out.add(new CaptionRequest(s.key(), s.image(), null, s.objects()));
    return out;
  }
}
