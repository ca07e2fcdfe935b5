package dev.recap.coordinator.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * What a running coordinator leaves in its state directory for the other commands:
 * {@code coordinator.json} (cluster and API addresses) and {@code token} (owner-readable only).
 */
final class CoordinatorState {

  /** rw-------: the token is a password to the API. */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private CoordinatorState() {}

  static String newToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static void write(Path stateDir, String clusterAddress, String clusterName, String apiUrl, String token,
      PrintWriter warnings) throws IOException {
    Files.createDirectories(stateDir);
    writeToken(stateDir.resolve("token"), token, warnings);
    Path info = stateDir.resolve("coordinator.json");
    Path tmp = stateDir.resolve(".coordinator.json.tmp");
    Files.writeString(tmp, new JsonObject().put("cluster", clusterAddress).put("clusterName", clusterName)
        .put("api", apiUrl).put("pid", ProcessHandle.current().pid()).encodePrettily());
    Files.move(tmp, info, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Writes the token into a new file that only its owner can read or write (mode 600), set as it
   * is created so that it is never readable by others. A file system without POSIX permissions
   * cannot say so: the file is written and {@code warnings} names it.
   */
  static void writeToken(Path tokenFile, String token, PrintWriter warnings) throws IOException {
    Files.deleteIfExists(tokenFile);
    if (tokenFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      // the umask may have taken bits off the mode asked for at creation; it never adds any
      Files.setPosixFilePermissions(tokenFile, OWNER_ONLY);
    } else {
      Files.createFile(tokenFile);
      warnings.println("recap: warning: " + tokenFile.toAbsolutePath() + " holds the API token, but its file system"
          + " has no POSIX permissions, so it may be readable by other users; restrict access to it (or to its"
          + " directory) yourself, or use --state on a POSIX file system");
      warnings.flush();
    }
    Files.writeString(tokenFile, token);
  }

  static JsonObject read(Path stateDir) throws IOException {
    Path info = stateDir.resolve("coordinator.json");
    if (!Files.exists(info)) {
      throw new IOException("no running coordinator recorded in " + stateDir.toAbsolutePath()
          + " (start one with 'recap coordinator --state " + stateDir + "', or pass --api and --token)");
    }
    return new JsonObject(Files.readString(info));
  }

  static String token(Path stateDir) throws IOException {
    Path f = stateDir.resolve("token");
    if (!Files.exists(f)) {
      throw new IOException("no token in " + stateDir.toAbsolutePath() + "; pass --token or set RECAP_TOKEN");
    }
    return Files.readString(f).trim();
  }
}
