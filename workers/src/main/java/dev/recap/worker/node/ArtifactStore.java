package dev.recap.worker.node;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a task writes its outputs. Every write lands in a directory derived from the task id
 * (not the attempt), through a temporary file renamed into place, so a reader never sees a
 * partial file and a retried task replaces rather than duplicates.
 */
public interface ArtifactStore {

  /** Writes content into a file in the task's output directory. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** The task's output directory (created on first write). */
  Path directory();

  /**
   * Atomically writes {@code name} (a plain file name, no separators) and returns its reference
   * (the absolute path), which is also recorded as an output of the task.
   */
  String write(String name, Content content) throws IOException;

  /** Atomically writes bytes; see {@link #write(String, Content)}. */
  default String write(String name, byte[] bytes) throws IOException {
    return write(name, out -> out.write(bytes));
  }

  /** References of everything written so far by this attempt. */
  List<String> written();
}
