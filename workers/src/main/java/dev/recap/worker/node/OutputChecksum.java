package dev.recap.worker.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Size and SHA-256 of a declared output. A file: its bytes. A directory: every regular file under
 * it in the order of their relative paths ({@code /}-separated, compared as strings), each
 * contributing its relative path in UTF-8, a zero byte, its size as 8 big-endian bytes, then its
 * bytes; so a renamed, added, removed or changed file changes the checksum. Hidden temporary
 * files ({@code .*.tmp}) are skipped, as readers skip them.
 */
public record OutputChecksum(long sizeBytes, String sha256) {

  /** Measures {@code path}, a regular file or a directory. */
  public static OutputChecksum of(Path path) throws IOException {
    MessageDigest digest = newDigest();
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
            .filter(p -> !isTemporary(p)).toList();
      }
      List<String> names = files.stream().map(p -> relative(path, p)).sorted().toList();
      long size = 0;
      for (String name : names) {
        Path file = path.resolve(name);
        long length = Files.size(file);
        size += length;
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        for (int shift = 56; shift >= 0; shift -= 8) {
          digest.update((byte) (length >>> shift));
        }
        update(digest, file);
      }
      return new OutputChecksum(size, HexFormat.of().formatHex(digest.digest()));
    }
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("cannot declare " + path + ": it is neither a regular file nor a directory");
    }
    update(digest, path);
    return new OutputChecksum(Files.size(path), HexFormat.of().formatHex(digest.digest()));
  }

  private static boolean isTemporary(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith(".") && name.endsWith(".tmp");
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
  }

  private static void update(MessageDigest digest, Path file) throws IOException {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
