package dev.recap.worker.node;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link ArtifactStore} on a (possibly shared) file system: {@code root/<job>/<task>/name}. */
public final class FileArtifactStore implements ArtifactStore {

  private final Path directory;
  private final List<String> written = new CopyOnWriteArrayList<>();

  /** The store of one task under {@code root}. */
  public FileArtifactStore(Path root, String jobId, String taskId) {
    this.directory = root.resolve(safe(jobId)).resolve(safe(taskId)).toAbsolutePath();
  }

  /** The directory a task's outputs go to, for readers (the coordinator, tests). */
  public static Path taskDirectory(Path root, String jobId, String taskId) {
    return root.resolve(safe(jobId)).resolve(safe(taskId)).toAbsolutePath();
  }

  static String safe(String id) {
    String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
    if (s.isEmpty() || s.equals(".") || s.equals("..")) {
      throw new IllegalArgumentException("'" + id + "' cannot name an artifact directory");
    }
    return s;
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public String write(String name, Content content) throws IOException {
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new IllegalArgumentException("artifact name must be a plain file name, got '" + name + "'");
    }
    Files.createDirectories(directory);
    Path target = directory.resolve(name);
    // a dot-prefixed temp name in the same directory: readers skip it and rename is atomic there
    Path temp = directory.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = Files.newOutputStream(temp)) {
      content.writeTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(temp);
      throw new IOException("the artifact root " + directory + " does not support atomic rename; use a local or POSIX file system", e);
    }
    String ref = target.toString();
    if (!written.contains(ref)) {
      written.add(ref);
    }
    return ref;
  }

  @Override
  public List<String> written() {
    return List.copyOf(written);
  }
}
