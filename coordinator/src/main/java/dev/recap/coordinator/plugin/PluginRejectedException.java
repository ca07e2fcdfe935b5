package dev.recap.coordinator.plugin;

/**
 * A jar the store will not take, with a message a user can act on (which jar, what is missing or
 * in conflict). {@link #conflict()} tells a clash with an already published jar (HTTP 409) from a
 * jar that is unusable on its own (HTTP 400).
 */
public final class PluginRejectedException extends RuntimeException {

  private final boolean conflict;

  PluginRejectedException(String message, boolean conflict) {
    super(message);
    this.conflict = conflict;
  }

  /** True when another jar with the same plugin id and version is already published. */
  public boolean conflict() {
    return conflict;
  }
}
