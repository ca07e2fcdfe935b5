package dev.recap.coordinator.spec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A wall-time budget as people write it: {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 90s}, or a
 * whole number of seconds. The job field {@code budget} and {@code recap assess --budget} read it.
 */
public final class Budget {

  private static final Pattern TEXT = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  private Budget() {}

  /**
   * The budget in seconds.
   *
   * @throws IllegalArgumentException quoting the text and the forms accepted
   */
  public static long seconds(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      long s = ((Number) value).longValue();
      if (s > 0) {
        return s;
      }
    } else if (value instanceof String text) {
      String t = text.strip().toLowerCase(Locale.ROOT);
      if (t.matches("\\d+")) {
        long s = Long.parseLong(t);
        if (s > 0) {
          return s;
        }
      } else {
        Matcher m = TEXT.matcher(t);
        if (!t.isEmpty() && m.matches()) {
          long s = part(m.group(1)) * 3600 + part(m.group(2)) * 60 + part(m.group(3));
          if (s > 0) {
            return s;
          }
        }
      }
    }
    throw new IllegalArgumentException("must be a positive duration such as 30m, 2h, 1h30m, 90s or a number of seconds, got "
        + SpecCheck.describe(value));
  }

  /** {@code 1h30m}, {@code 30m}, {@code 45s}: the short form of a number of seconds. */
  public static String format(long seconds) {
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (s > 0 || seconds == 0 ? s + "s" : "");
  }

  private static long part(String g) {
    return g == null ? 0 : Long.parseLong(g);
  }
}
