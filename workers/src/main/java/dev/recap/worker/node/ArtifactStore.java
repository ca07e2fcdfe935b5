package dev.recap.worker.node;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a task writes its outputs, declaring each one. Every write lands in a directory derived
 * from the task id (not the attempt), through a temporary name renamed into place, so a reader
 * never sees a partial file and a retried task replaces rather than duplicates. Each output is
 * declared as it is written, with its {@link OutputKind}, size and SHA-256; the declarations, and
 * the result JSON, travel to the coordinator in the task's result, and later stages find their
 * inputs among them by kind.
 */
public interface ArtifactStore {

  /** Writes content into a file in the task's output directory. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Produces a file or a directory at a path the store chooses (a temporary one, renamed after). */
  @FunctionalInterface
  interface PathContent {
    /** Creates {@code target} (it does not exist yet; its parent does) as a file or a directory. */
    void writeAt(Path target) throws IOException;
  }

  /** The task's output directory (created on first write). */
  Path directory();

  /**
   * Atomically writes {@code name} (a plain file name, no separators) and declares it as an
   * output of {@code kind}.
   */
  DeclaredOutput write(String name, OutputKind kind, Content content) throws IOException;

  /** Atomically writes bytes; see {@link #write(String, OutputKind, Content)}. */
  default DeclaredOutput write(String name, OutputKind kind, byte[] bytes) throws IOException {
    return write(name, kind, out -> out.write(bytes));
  }

  /**
   * Lets {@code content} create a file or a whole directory under a temporary name, renames it to
   * {@code name} (replacing what a previous attempt left) and declares it; a directory's size and
   * checksum cover every file in it ({@link OutputChecksum}).
   */
  DeclaredOutput writeAt(String name, OutputKind kind, PathContent content) throws IOException;

  /**
   * Declares {@code name}, a file or directory the task already put in its directory by its own
   * means (a writer that renames its own temporary file into place, an append-only log that must
   * survive a kill mid-task, a snapshot an earlier attempt of the task wrote), with its size and
   * checksum as they are now.
   */
  DeclaredOutput declareInPlace(String name, OutputKind kind) throws IOException;

  /**
   * Writes the task's result JSON (docs/results.md) to {@code result.json}, declared as
   * {@link OutputKind#RUN_RESULT}, and keeps its text for the task's result message.
   */
  default DeclaredOutput writeResult(String json) throws IOException {
    return writeResult(json, OutputKind.RUN_RESULT);
  }

  /**
   * As {@link #writeResult(String)}, declared as {@code kind}: the result of a task that is not a
   * run's, e.g. a data stage's {@link OutputKind#DATA_SUMMARY}, which later stages read but the
   * results table leaves out.
   */
  DeclaredOutput writeResult(String json, OutputKind kind) throws IOException;

  /** Everything declared so far by this attempt, in declaration order (a name written twice: its last write). */
  List<DeclaredOutput> declared();

  /** The result JSON written by {@link #writeResult}, or null. */
  String result();
}
