package dev.recap.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state directory a running coordinator leaves for the other commands, and its token's protection. */
class CoordinatorStateTest {

  @TempDir
  Path tmp;

  @Test
  void theTokenFileIsReadableAndWritableByItsOwnerOnly() throws Exception {
    assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs a POSIX file system");
    StringWriter warnings = new StringWriter();
    Path state = tmp.resolve("state");

    CoordinatorState.write(state, "127.0.0.1:5701", "recap", "http://127.0.0.1:8080", "secret", new PrintWriter(warnings));

    Path token = state.resolve("token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    assertEquals("secret", CoordinatorState.token(state));
    assertEquals("http://127.0.0.1:8080", CoordinatorState.read(state).getString("api"));
    assertEquals("", warnings.toString(), "no warning on a POSIX file system");
  }

  @Test
  void aWorldReadableTokenLeftByAnEarlierRunIsReplacedByAnOwnerOnlyOne() throws Exception {
    assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs a POSIX file system");
    Path token = tmp.resolve("token");
    Files.writeString(token, "old");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));

    CoordinatorState.writeToken(token, "new", new PrintWriter(new StringWriter()));

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    assertEquals("new", Files.readString(token));
  }

  @Test
  void onAFileSystemWithoutPosixPermissionsTheTokenIsWrittenAndTheWarningNamesTheFile() throws Exception {
    Path zip = tmp.resolve("state.zip");
    try (FileSystem zipFs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create", "true"))) {
      Path token = zipFs.getPath("/token");
      assumeTrue(!zipFs.supportedFileAttributeViews().contains("posix"), "the zip file system has POSIX permissions here");
      StringWriter warnings = new StringWriter();

      CoordinatorState.writeToken(token, "secret", new PrintWriter(warnings));

      assertEquals("secret", Files.readString(token));
      assertTrue(warnings.toString().contains(token.toAbsolutePath().toString())
          && warnings.toString().contains("no POSIX permissions"), warnings.toString());
    }
  }
}
