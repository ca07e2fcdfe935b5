package dev.recap.worker.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.bus.CaptionSidecarRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurationRunTest {

  @TempDir Path dir;

  private static final String[] COLOURS = {"red", "green", "blue"};

  /** Images of one noisy colour; every fifth has no alt-text. */
  static List<Sample> shard(int n, long seed) {
    Random r = new Random(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int colour = r.nextInt(3);
      byte[] rgb = new byte[16 * 16 * 3];
      for (int p = 0; p < 16 * 16; p++) {
        for (int c = 0; c < 3; c++) {
          int base = c == colour ? 200 : 30;
          rgb[p * 3 + c] = (byte) (base + r.nextInt(40));
        }
      }
      Map<String, String> captions = i % 5 == 4 ? Map.of() : Map.of(Sample.ALT, "photo " + i + " of something " + COLOURS[r.nextInt(3)]);
      out.add(new Sample(String.format("k%05d", i), new RgbImage(16, 16, rgb), captions, List.of(), null, null));
    }
    return out;
  }

  /** A plain captioner for these tests: repeats the alt-text, none without it. */
  static final class EchoCaptioner implements Captioner {
    @Override
    public String id() {
      return "echo";
    }

    @Override
    public String version() {
      return "1";
    }

    @Override
    public Session open(PluginConfig config, long seed, Extensions extensions) {
      return batch -> batch.stream()
          .map(r -> r.sourceCaption() == null ? Caption.none(r.key(), "no alt-text") : Caption.of(r.key(), r.sourceCaption()))
          .toList();
    }
  }

  /** Scores a caption by the share of pixels whose strongest channel is the colour it names. */
  static final class ColourAgreementScorer implements ImageTextScorer {
    @Override
    public float[] score(List<RgbImage> images, List<String> captions) {
      float[] out = new float[images.size()];
      for (int i = 0; i < out.length; i++) {
        int named = -1;
        for (int c = 0; c < 3; c++) {
          if (captions.get(i).contains(COLOURS[c])) {
            named = c;
          }
        }
        byte[] rgb = images.get(i).rgb();
        int agree = 0;
        for (int p = 0; p < rgb.length / 3; p++) {
          int best = 0;
          for (int c = 1; c < 3; c++) {
            if ((rgb[p * 3 + c] & 0xff) > (rgb[p * 3 + best] & 0xff)) {
              best = c;
            }
          }
          agree += best == named ? 1 : 0;
        }
        out[i] = agree / (float) (rgb.length / 3) + (i % 7) * 1e-4f; // small spread so ranks are strict
      }
      return out;
    }
  }

  @Test
  void writesEveryCaptionOnceWithTheCaptionerAndStatistics() throws IOException {
    List<Sample> samples = shard(23, 3);
    Captioner echo = new EchoCaptioner();
    Path sidecar = dir.resolve("shard-00000.captions.echo.avro");
    CurationStats stats;
    try (Captioner.Session session = echo.open(PluginConfig.empty(), 1, Extensions.of())) {
      stats = CurationRun.builder(session, echo).batchSize(4).build().run(samples, sidecar);
    }
    Map<String, CaptionSidecarRecord> byKey = SidecarReader.readByKey(sidecar);
    long withAlt = samples.stream().filter(s -> s.captions().containsKey(Sample.ALT)).count();
    assertEquals(withAlt, byKey.size());
    for (Sample s : samples) {
      CaptionSidecarRecord r = byKey.get(s.key());
      if (s.captions().containsKey(Sample.ALT)) {
        assertEquals(s.captions().get(Sample.ALT), r.getCaption());
        assertEquals("echo", r.getCaptionerId());
        assertEquals("1", r.getCaptionerVersion());
        assertNull(r.getScore());
      } else {
        assertFalse(byKey.containsKey(s.key()));
      }
    }
    assertEquals(23, stats.samples());
    assertEquals(withAlt, stats.captionsWritten());
    assertEquals(23 - withAlt, stats.withoutCaption());
    assertEquals(0, stats.filteredOut());
    assertEquals(5.0, stats.meanLength(), 1e-9); // "photo N of something colour"
    // the alt-texts are "photo N of something colour": their words, read off the samples themselves
    Set<String> expectedVocabulary = new TreeSet<>();
    samples.stream().map(s -> s.captions().get(Sample.ALT)).filter(Objects::nonNull)
        .forEach(alt -> expectedVocabulary.addAll(List.of(alt.split(" "))));
    assertEquals(expectedVocabulary, new TreeSet<>(stats.vocabulary()));
    assertEquals(expectedVocabulary.size(), stats.vocabularySize());
  }

  @Test
  void aRerunReplacesTheSidecarWithoutDuplicates() throws IOException {
    List<Sample> samples = shard(10, 5);
    Captioner echo = new EchoCaptioner();
    Path sidecar = dir.resolve("s.avro");
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Captioner.Session session = echo.open(PluginConfig.empty(), 1, Extensions.of())) {
        CurationRun.builder(session, echo).batchSize(3).build().run(samples, sidecar);
      }
    }
    assertEquals(8, SidecarReader.readAll(sidecar).size());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(sidecar), files.toList(), "no temporary files are left behind");
    }
  }

  @Test
  void filterKeepsExactlyTheTopFractionByScoreAndStoresScores() throws IOException {
    List<Sample> samples = shard(50, 9);
    Captioner echo = new EchoCaptioner();
    Path sidecar = dir.resolve("f.avro");
    Path filtered = dir.resolve("f-dropped.avro");
    CurationStats stats;
    try (Captioner.Session session = echo.open(PluginConfig.empty(), 1, Extensions.of())) {
      stats = CurationRun.builder(session, echo).batchSize(8)
          .scorer(new ColourAgreementScorer()).filter(ScoreFilter.topFraction(0.25)).build().run(samples, sidecar, filtered);
    }
    List<CaptionSidecarRecord> records = SidecarReader.readAll(sidecar);
    List<CaptionSidecarRecord> dropped = SidecarReader.readAll(filtered);
    assertEquals(40, stats.captionsWritten() + stats.filteredOut());
    assertEquals(10, records.size());
    assertEquals(10, stats.captionsWritten());
    assertEquals(30, stats.filteredOut());
    assertEquals(30, dropped.size());
    // every kept caption scores at least as well as every dropped one
    float minKept = (float) records.stream().mapToDouble(CaptionSidecarRecord::getScore).min().orElseThrow();
    float maxDropped = (float) dropped.stream().mapToDouble(CaptionSidecarRecord::getScore).max().orElseThrow();
    assertTrue(minKept >= maxDropped, "lowest kept score " + minKept + " is below the highest dropped score " + maxDropped);
    assertTrue(minKept > 0.5f, "the kept captions name the image's colour: min score " + minKept);
  }

  @Test
  void droppedCaptionsGoWithTheirScoresToTheFilteredSidecarAndTheMeansAddUp() throws IOException {
    List<Sample> samples = shard(30, 4);
    Captioner echo = new EchoCaptioner();
    Path sidecar = dir.resolve("kept.avro");
    Path filtered = dir.resolve("dropped.avro");
    CurationStats stats;
    try (Captioner.Session session = echo.open(PluginConfig.empty(), 1, Extensions.of())) {
      stats = CurationRun.builder(session, echo).batchSize(7)
          .scorer(new ColourAgreementScorer()).filter(ScoreFilter.threshold(0.5)).build().run(samples, sidecar, filtered);
    }
    Map<String, CaptionSidecarRecord> kept = SidecarReader.readByKey(sidecar);
    Map<String, CaptionSidecarRecord> dropped = SidecarReader.readByKey(filtered);
    assertEquals(stats.captionsWritten(), kept.size());
    assertEquals(stats.filteredOut(), dropped.size());
    assertTrue(kept.size() > 0 && dropped.size() > 0, kept.size() + " kept, " + dropped.size() + " dropped");
    assertEquals(24, kept.size() + dropped.size(), "every captioned sample is in exactly one of the two");
    assertTrue(kept.values().stream().allMatch(r -> r.getScore() >= 0.5f));
    assertTrue(dropped.values().stream().allMatch(r -> r.getScore() < 0.5f));
    double all = Stream.concat(kept.values().stream(), dropped.values().stream()).mapToDouble(CaptionSidecarRecord::getScore).average()
        .orElseThrow();
    double keptMean = kept.values().stream().mapToDouble(CaptionSidecarRecord::getScore).average().orElseThrow();
    assertEquals(24, stats.scored());
    assertEquals(all, stats.meanScore(), 1e-6);
    assertEquals(keptMean, stats.meanKeptScore(), 1e-6);
  }

  @Test
  void aFilterWithoutAScorerIsRejected() throws IOException {
    Captioner echo = new EchoCaptioner();
    Captioner.Session session = echo.open(PluginConfig.empty(), 1, Extensions.of());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CurationRun.builder(session, echo).filter(ScoreFilter.threshold(0.5)).build());
    assertTrue(e.getMessage().contains("scorer"), e.getMessage());
  }

  @Test
  void repeatedKeysInAShardAreNamed() throws IOException {
    List<Sample> samples = new ArrayList<>(shard(3, 1));
    samples.add(samples.get(1));
    Captioner echo = new EchoCaptioner();
    Captioner.Session session = echo.open(PluginConfig.empty(), 1, Extensions.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CurationRun.builder(session, echo).build().run(samples, dir.resolve("x.avro")));
    assertTrue(e.getMessage().contains("k00001"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("x.avro")));
  }
}
