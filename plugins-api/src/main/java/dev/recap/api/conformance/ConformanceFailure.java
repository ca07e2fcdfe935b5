package dev.recap.api.conformance;

/**
 * A conformance check that did not hold; its message says which check, on what input, and what
 * was seen. An {@link AssertionError}, so test frameworks report it as a failed assertion.
 */
public final class ConformanceFailure extends AssertionError {

  private static final long serialVersionUID = 1L;

  /** A failure with this message. */
  public ConformanceFailure(String message) {
    super(message);
  }
}
