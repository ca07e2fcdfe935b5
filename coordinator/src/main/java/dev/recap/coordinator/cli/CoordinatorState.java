package dev.recap.coordinator.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What a running coordinator leaves in its state directory for the other commands:
 * {@code coordinator.json} (cluster and API addresses) and {@code token} (owner-readable only).
 */
final class CoordinatorState {

  private CoordinatorState() {}

  static String newToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static void write(Path stateDir, String clusterAddress, String clusterName, String apiUrl, String token) throws IOException {
    Files.createDirectories(stateDir);
    Path tokenFile = stateDir.resolve("token");
    Files.deleteIfExists(tokenFile);
    Files.createFile(tokenFile);
    try {
      Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's permissions have to do
    }
    Files.writeString(tokenFile, token);
    Path info = stateDir.resolve("coordinator.json");
    Path tmp = stateDir.resolve(".coordinator.json.tmp");
    Files.writeString(tmp, new JsonObject().put("cluster", clusterAddress).put("clusterName", clusterName)
        .put("api", apiUrl).put("pid", ProcessHandle.current().pid()).encodePrettily());
    Files.move(tmp, info, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
