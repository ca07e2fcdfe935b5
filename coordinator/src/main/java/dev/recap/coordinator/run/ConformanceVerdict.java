package dev.recap.coordinator.run;

import java.util.List;
import java.util.Objects;

/**
 * One extension's conformance across the workers that advertise it, from what each worker's
 * kit reported: {@code fail} if any worker's kit failed, {@code pending} while a kit has yet to
 * run, {@code pass} if every worker that ran it passed, {@code skipped} if none ran it (no kit,
 * no small configuration, kits turned off), {@code unknown} if no worker reported at all.
 */
final class ConformanceVerdict {

  static final String PASS = "pass";
  static final String FAIL = "fail";
  static final String PENDING = "pending";
  static final String SKIPPED = "skipped";
  static final String UNKNOWN = "unknown";

  private ConformanceVerdict() {}

  /** @param statuses one per advertising worker, null for a worker that sent no report for it */
  static String of(List<String> statuses) {
    List<String> reported = statuses.stream().filter(Objects::nonNull).toList();
    if (reported.isEmpty()) {
      return UNKNOWN;
    }
    if (reported.contains(FAIL)) {
      return FAIL;
    }
    if (reported.contains(PENDING)) {
      return PENDING;
    }
    if (reported.contains(PASS)) {
      return PASS;
    }
    return SKIPPED;
  }
}
