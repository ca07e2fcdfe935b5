package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.recap.api.data.Sample;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionMixerTest {

  @TempDir Path dir;
  private final TestSamples gen = new TestSamples(8, 6);

  @Test
  void curatedCaptionIsChosenWithProbabilityPDeterministicallyByKey() {
    Map<String, String> curated = new HashMap<>();
    for (long i = 0; i < 1000; i++) {
      curated.put(String.format("%09d", i), "curated " + i);
    }
    CaptionOverrides overrides = CaptionOverrides.of(curated);
    CaptionMixer none = new CaptionMixer(Sample.ALT, overrides, 0, 1);
    CaptionMixer all = new CaptionMixer(Sample.ALT, overrides, 1, 1);
    CaptionMixer half = new CaptionMixer(Sample.ALT, overrides, 0.5, 1);
    CaptionMixer halfAgain = new CaptionMixer(Sample.ALT, overrides, 0.5, 1);
    CaptionMixer quality = new CaptionMixer(Sample.QUALITY, CaptionOverrides.none(), 1, 1);
    int curatedCount = 0;
    for (long i = 0; i < 1000; i++) {
      Sample s = gen.sample(i);
      assertEquals("IMG_" + i + ".jpg", none.caption(s));
      assertEquals("curated " + i, all.caption(s));
      assertEquals(half.caption(s), halfAgain.caption(s));
      assertEquals(s.captions().get(Sample.QUALITY), quality.caption(s), "no override: the original");
      curatedCount += half.caption(s).startsWith("curated") ? 1 : 0;
    }
    assertTrue(curatedCount > 430 && curatedCount < 570, "curated " + curatedCount);
  }

  @Test
  void loaderHandsOutCuratedCaptions() throws Exception {
    List<Path> shards = DatasetWriter.writeShards(gen, 0, 6, 6, dir, "c", ImageFormat.PNG);
    CaptionOverrides overrides = key -> java.util.Optional.of("curated " + key);
    LoaderOptions opt = LoaderOptions.builder().batchSize(6).imageSize(8).curatedCaptions(overrides, 1.0).build();
    try (BatchLoader loader = new BatchLoader(shards.stream().<RecordShard>map(TarShard::new).toList(), opt);
        NDManager nd = NDManager.newBaseManager(); Batch b = loader.next(nd)) {
      for (int i = 0; i < b.size(); i++) {
        assertEquals("curated " + b.keys().get(i), b.captions().get(i));
      }
      assertEquals(6, b.size());
    }
  }
}
