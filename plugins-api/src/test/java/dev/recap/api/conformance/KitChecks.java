package dev.recap.api.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs every check of a kit, not stopping at the first failure, for the kits' self-tests. */
final class KitChecks {

  private KitChecks() {}

  /** What each check that did not hold threw, by check name, in the kit's order. */
  static Map<String, Throwable> failures(ConformanceKit kit) {
    Map<String, Throwable> failed = new LinkedHashMap<>();
    for (ConformanceKit.Check check : kit.checks()) {
      try {
        check.run();
      } catch (Throwable t) {
        failed.put(check.name(), t);
      }
    }
    return failed;
  }

  /** Every check holds. */
  static void assertAllPass(ConformanceKit kit) {
    Map<String, Throwable> failed = failures(kit);
    assertTrue(failed.isEmpty(), "checks that failed: " + failed);
  }

  /**
   * {@code check}, and no other check, fails, and with a {@link ConformanceFailure} (a broken
   * contract the kit names) rather than an exception it did not expect.
   */
  static void assertOnlyFails(ConformanceKit kit, String check) {
    Map<String, Throwable> failed = failures(kit);
    assertEquals(List.of(check), List.copyOf(failed.keySet()), "checks that failed: " + failed);
    assertTrue(failed.get(check) instanceof ConformanceFailure, check + " threw " + failed.get(check));
  }
}
