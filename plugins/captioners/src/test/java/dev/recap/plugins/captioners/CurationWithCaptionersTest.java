package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.Sample;
import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.worker.caption.CurationRun;
import dev.recap.worker.caption.CurationStats;
import dev.recap.worker.caption.SidecarReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's curation run driving the real captioner plugins over several shards. */
class CurationWithCaptionersTest {

  @TempDir Path dir;

  static List<Sample> shard(int shard, int size) {
    List<Sample> out = new ArrayList<>();
    for (TinyScenes.Scene s : TinyScenes.scenes(shard * size, size, 32, 17)) {
      out.add(new Sample(s.key(), s.image(), Map.of(Sample.ALT, s.alt(), Sample.QUALITY, s.quality()), s.objects(), null, null));
    }
    return out;
  }

  @Test
  void groundedCurationOfThreeShardsWritesEveryCaptionExactlyOnce() throws Exception {
    Captioner grounded = new GroundedCaptioner();
    Map<String, Integer> seen = new HashMap<>();
    CurationStats total = CurationStats.none();
    for (int shard = 0; shard < 3; shard++) {
      Path sidecar = dir.resolve(String.format("shard-%05d.grounded.avro", shard));
      try (Captioner.Session session = grounded.open(PluginConfig.empty(), 1, Extensions.of())) {
        total = total.plus(CurationRun.builder(session, grounded).batchSize(7).build().run(shard(shard, 20), sidecar));
      }
      for (CaptionSidecarRecord r : SidecarReader.readAll(sidecar)) {
        seen.merge(r.getKey(), 1, Integer::sum);
        assertEquals("grounded", r.getCaptionerId());
        assertTrue(r.getCaption().contains(" on the ") || r.getCaption().contains(" in the centre"), r.getCaption());
      }
    }
    assertEquals(60, seen.size());
    assertTrue(seen.values().stream().allMatch(n -> n == 1), "each key exactly once: " + seen);
    assertEquals(60, total.captionsWritten());
    assertTrue(total.vocabularySize() >= 10, "vocabulary " + total.vocabulary());
  }
}
