package dev.recap.worker.data;

import java.nio.file.Path;

/** A shard or dense folder that cannot be opened at all: the task reading it fails. */
public final class ShardOpenException extends RuntimeException {

  private final Path path;

  public ShardOpenException(Path path, Throwable cause) {
    super("cannot open shard " + path + ": " + cause, cause);
    this.path = path;
  }

  public Path path() {
    return path;
  }
}
