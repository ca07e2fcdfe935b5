package dev.recap.api.conformance;

import java.util.Arrays;
import java.util.Objects;

/**
 * The few assertions the kits need, without a test framework on the class path (a worker runs the
 * kits in production). Each throws {@link ConformanceFailure} with the caller's message first.
 */
final class Expect {

  private Expect() {}

  static ConformanceFailure failure(String message, String detail) {
    return new ConformanceFailure(message == null || message.isEmpty() ? detail : message + " ==> " + detail);
  }

  static void fail(String message) {
    throw new ConformanceFailure(message);
  }

  static void assertTrue(boolean condition, String message) {
    if (!condition) {
      throw failure(message, "expected true");
    }
  }

  static void assertFalse(boolean condition, String message) {
    if (condition) {
      throw failure(message, "expected false");
    }
  }

  static void assertNotNull(Object value, String message) {
    if (value == null) {
      throw failure(message, "expected a value, got null");
    }
  }

  static void assertEquals(Object expected, Object actual) {
    assertEquals(expected, actual, null);
  }

  static void assertEquals(Object expected, Object actual, String message) {
    if (!Objects.equals(expected, actual)) {
      throw failure(message, "expected <" + expected + "> but was <" + actual + ">");
    }
  }

  static void assertEquals(long expected, long actual, String message) {
    if (expected != actual) {
      throw failure(message, "expected <" + expected + "> but was <" + actual + ">");
    }
  }

  static void assertEquals(float expected, float actual, float delta, String message) {
    if (!(Math.abs(expected - actual) <= delta)) {
      throw failure(message, "expected <" + expected + "> but was <" + actual + "> (tolerance " + delta + ")");
    }
  }

  static void assertNotEquals(float unexpected, float actual, String message) {
    if (Float.compare(unexpected, actual) == 0) {
      throw failure(message, "expected a value other than <" + actual + ">");
    }
  }

  static void assertArrayEquals(float[] expected, float[] actual, String message) {
    if (!Arrays.equals(expected, actual)) {
      throw failure(message, "arrays differ" + firstDifference(expected, actual));
    }
  }

  static void assertArrayEquals(long[] expected, long[] actual, String message) {
    if (!Arrays.equals(expected, actual)) {
      throw failure(message, "expected " + Arrays.toString(expected) + " but was " + Arrays.toString(actual));
    }
  }

  static void assertArrayEquals(Object[] expected, Object[] actual, String message) {
    if (!Arrays.equals(expected, actual)) {
      throw failure(message, "expected " + Arrays.toString(expected) + " but was " + Arrays.toString(actual));
    }
  }

  /** Runs {@code action} and expects it to throw {@code type}. */
  static void assertThrows(Class<? extends Throwable> type, ThrowingAction action, String message) {
    try {
      action.run();
    } catch (Throwable t) {
      if (type.isInstance(t)) {
        return;
      }
      throw failure(message, "expected " + type.getSimpleName() + " but " + t + " was thrown");
    }
    throw failure(message, "expected " + type.getSimpleName() + " but nothing was thrown");
  }

  private static String firstDifference(float[] a, float[] b) {
    if (a == null || b == null) {
      return ": " + (a == null ? "expected" : "actual") + " is null";
    }
    if (a.length != b.length) {
      return ": lengths " + a.length + " and " + b.length;
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.compare(a[i], b[i]) != 0) {
        return " first at [" + i + "]: " + a[i] + " vs " + b[i];
      }
    }
    return "";
  }

  /** An action that may throw anything. */
  @FunctionalInterface
  interface ThrowingAction {
    void run() throws Throwable;
  }
}
