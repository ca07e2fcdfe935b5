package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ConformanceVerdictTest {

  @Test
  void oneFailingWorkerFailsThePluginWhateverTheOthersSay() {
    assertEquals("fail", ConformanceVerdict.of(Arrays.asList("pass", "fail", "pending", null)));
  }

  @Test
  void passesWhenEveryWorkerThatRanTheKitPassed() {
    assertEquals("pass", ConformanceVerdict.of(Arrays.asList("pass", "skipped", null)));
    assertEquals("pass", ConformanceVerdict.of(Arrays.asList("pass", "pass")));
  }

  @Test
  void pendingWhileAKitHasYetToRunAndUnknownWithoutAnyReport() {
    assertEquals("pending", ConformanceVerdict.of(Arrays.asList("pass", "pending")));
    assertEquals("unknown", ConformanceVerdict.of(Arrays.asList(null, null)));
    assertEquals("unknown", ConformanceVerdict.of(Arrays.asList()));
    assertEquals("skipped", ConformanceVerdict.of(Arrays.asList("skipped", null)));
  }
}
