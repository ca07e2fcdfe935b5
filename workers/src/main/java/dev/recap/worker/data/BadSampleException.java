package dev.recap.worker.data;

/** A sample that cannot be used; the pipeline skips it and counts its {@link #reason()}. */
public final class BadSampleException extends Exception {

  private final SkipReason reason;

  public BadSampleException(SkipReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public BadSampleException(SkipReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public SkipReason reason() {
    return reason;
  }
}
