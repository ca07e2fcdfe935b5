package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobTelemetryTest {

  @Test
  void seriesAreNamedByStageAndMetricPlacedByTheStepTagAndBounded() {
    JobTelemetry t = new JobTelemetry();
    for (int i = 0; i < JobTelemetry.MAX_POINTS + 10; i++) {
      t.metric("pretrain", "j/pretrain/r0", "loss", Map.of("step", String.valueOf(i * 2)), 1.0 / (i + 1), 0);
    }
    t.metric("pretrain", "j/pretrain/r0", "lr", Map.of(), 0.1, 0);
    t.metric("pretrain", "j/pretrain/r0", "lr", Map.of("step", "oops"), 0.2, 0);
    assertNull(t.metric("pretrain", "j/pretrain/r0", "lr", Map.of(), Double.NaN, 0), "NaN is dropped");
    JsonObject series = t.seriesJson();
    assertEquals(JobTelemetry.MAX_POINTS, series.getJsonArray("pretrain/loss").size());
    assertEquals(20.0, series.getJsonArray("pretrain/loss").getJsonArray(0).getDouble(0), "oldest points go first");
    assertEquals(List.of(0.0, 1.0), series.getJsonArray("pretrain/lr").stream()
        .map(p -> ((io.vertx.core.json.JsonArray) p).getDouble(0)).toList(), "no step tag: the series counts");
  }

  @Test
  void aJobKeepsAtMostMaxSeries() {
    JobTelemetry t = new JobTelemetry();
    for (int i = 0; i < JobTelemetry.MAX_SERIES + 5; i++) {
      t.metric("s", "j/s/t", "m" + i, Map.of(), 1, 0);
    }
    assertEquals(JobTelemetry.MAX_SERIES, t.seriesJson().size());
  }

  @Test
  void skippedSampleNotesAreWarningsAndTheLogIsBounded() {
    JobTelemetry t = new JobTelemetry();
    assertEquals("SAMPLE_SKIPPED", t.event(1, "NOTE", "curate", "j/curate/0", "skipped sample 000123: corrupt JPEG").kind());
    assertEquals("warn", JobTelemetry.level("SAMPLE_SKIPPED"));
    assertEquals("NOTE", t.event(2, "NOTE", "curate", "j/curate/0", "captioned 10 samples").kind());
    for (int i = 0; i < JobTelemetry.MAX_EVENTS; i++) {
      t.event(3 + i, "TASK_RETRIED", "s", null, "x");
    }
    assertEquals(JobTelemetry.MAX_EVENTS, t.eventsJson().size());
    assertEquals("warn", t.eventsJson().getJsonObject(0).getString("level"));
  }

  @Test
  void etaFollowsProgressAndRatesSumOverRecentTasks() {
    JobTelemetry t = new JobTelemetry();
    t.stagePlanned("s", 0);
    assertNull(t.etaSeconds("s", List.of("a", "b"), 0, 4, 10_000), "no progress, no estimate");
    t.progress("a", 0.5);
    t.progress("b", 0.5);
    // one task's worth in 10 s, three to go
    assertEquals(30.0, t.etaSeconds("s", List.of("a", "b"), 0, 4, 10_000), 1e-9);
    t.metric("s", "j/s/a", "samples_per_sec", Map.of(), 10, 1_000);
    t.metric("s", "j/s/b", "samples_per_sec", Map.of(), 5, 2_000);
    assertEquals(15.0, t.samplesPerSec("s", 3_000), 1e-9);
    t.taskEnded("s", "j/s/a");
    assertEquals(5.0, t.samplesPerSec("s", 3_000), 1e-9, "a finished task no longer adds its rate");
    t.taskEnded("s", "j/s/b");
    assertEquals(15.0, t.samplesPerSec("s", 60_000), 1e-9, "with none running, the last sum reported stays");
    assertEquals("s", JobTelemetry.stageOf("job-1", "job-1/s/00001"));
    assertNull(JobTelemetry.stageOf("job-1", "other/s/00001"));
  }
}
