package dev.recap.worker.device;

/** A worker was asked for a device this JVM's libtorch cannot serve; the message says what was found and what to do. */
public final class DeviceUnavailableException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public DeviceUnavailableException(String message) {
    super(message);
  }
}
