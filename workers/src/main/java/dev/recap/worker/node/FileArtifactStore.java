package dev.recap.worker.node;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An {@link ArtifactStore} on a (possibly shared) file system: {@code root/<job>/<task>/name}. */
public final class FileArtifactStore implements ArtifactStore {

  /** The file the result JSON is written to. */
  public static final String RESULT_FILE = "result.json";

  private final Path directory;
  private final Map<String, DeclaredOutput> declared = new LinkedHashMap<>();
  private String result;
  private volatile java.util.function.UnaryOperator<String> resultDecorator = java.util.function.UnaryOperator.identity();

  /** The store of one task under {@code root}. */
  public FileArtifactStore(Path root, String jobId, String taskId) {
    this.directory = taskDirectory(root, jobId, taskId);
  }

  /** The directory a task's outputs go to. */
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
  public DeclaredOutput write(String name, OutputKind kind, Content content) throws IOException {
    return writeAt(name, kind, target -> {
      try (OutputStream out = Files.newOutputStream(target)) {
        content.writeTo(out);
      }
    });
  }

  @Override
  public DeclaredOutput writeAt(String name, OutputKind kind, PathContent content) throws IOException {
    checkName(name);
    Files.createDirectories(directory);
    Path target = directory.resolve(name);
    // a dot-prefixed temp name in the same directory: readers skip it and rename is atomic there
    Path temp = directory.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    try {
      content.writeAt(temp);
      if (!Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("the task declared output '" + name + "' but wrote nothing to " + temp);
      }
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(target); // a previous attempt's directory: a rename cannot replace a non-empty one
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      deleteTree(temp);
      throw new IOException("the artifact root " + directory + " does not support atomic rename; use a local or POSIX file system", e);
    } catch (IOException | RuntimeException e) {
      deleteTree(temp);
      throw e;
    }
    return declare(name, kind, target);
  }

  @Override
  public DeclaredOutput declareInPlace(String name, OutputKind kind) throws IOException {
    checkName(name);
    Path file = directory.resolve(name);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("cannot declare " + file + " as " + kind + ": the task has not written it");
    }
    return declare(name, kind, file);
  }

  /** Adds to every result JSON before it is written (the worker adds the plugin code the task ran). */
  public void decorateResults(java.util.function.UnaryOperator<String> decorator) {
    this.resultDecorator = decorator;
  }

  @Override
  public DeclaredOutput writeResult(String json, OutputKind kind) throws IOException {
    json = resultDecorator.apply(json);
    DeclaredOutput out = write(RESULT_FILE, kind, json.getBytes(StandardCharsets.UTF_8));
    synchronized (this) {
      result = json;
    }
    return out;
  }

  @Override
  public synchronized List<DeclaredOutput> declared() {
    return List.copyOf(declared.values());
  }

  /** The paths of {@link #declared()}, in the same order. */
  public synchronized List<String> declaredPaths() {
    List<String> paths = new ArrayList<>();
    declared.values().forEach(d -> paths.add(d.getPath()));
    return paths;
  }

  @Override
  public synchronized String result() {
    return result;
  }

  private DeclaredOutput declare(String name, OutputKind kind, Path path) throws IOException {
    OutputChecksum sum = OutputChecksum.of(path);
    DeclaredOutput out = new DeclaredOutput(path.toString(), kind.wireName(), sum.sizeBytes(), sum.sha256());
    synchronized (this) {
      declared.remove(name); // re-declared: keep the last write, at the end
      declared.put(name, out);
    }
    return out;
  }

  private static void checkName(String name) {
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new IllegalArgumentException("artifact name must be a plain file name, got '" + name + "'");
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
