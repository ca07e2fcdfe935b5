package dev.recap.coordinator.cli;

import dev.recap.coordinator.spec.SpecException;
import dev.recap.coordinator.spec.SpecProfiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The profile options of the commands that take a job spec ({@code run}, {@code submit}):
 * {@code --profile NAME}, {@code --quick}, {@code --scale}, and reading a spec with the chosen
 * profile merged in, with the same messages for both commands.
 */
final class SpecProfileOptions {

  @Option(names = "--profile", paramLabel = "NAME", description = "Apply the spec's profile NAME (its 'profiles:' block) first.")
  String profile;

  @Option(names = "--quick", description = "Same as --profile quick: the same stages at toy size.")
  boolean quick;

  @Option(names = "--scale", description = "Same as --profile scale: a larger run.")
  boolean scale;

  /**
   * The spec's YAML with the chosen profile applied, or null after printing to {@code err} why not
   * (no such file, more than one profile option, an unknown profile or invalid profiles block).
   */
  String read(Path specFile, String command, PrintWriter err) throws IOException {
    int chosen = (profile != null ? 1 : 0) + (quick ? 1 : 0) + (scale ? 1 : 0);
    if (chosen > 1) {
      err.println(command + ": choose one of --profile, --quick and --scale");
      return null;
    }
    String yaml;
    try {
      yaml = Files.readString(specFile);
    } catch (NoSuchFileException e) {
      err.println(command + ": no job spec at " + specFile.toAbsolutePath());
      return null;
    }
    try {
      return SpecProfiles.apply(yaml, profile != null ? profile : quick ? "quick" : scale ? "scale" : null, specFile.toString());
    } catch (SpecException e) {
      err.println(e.getMessage());
      return null;
    }
  }
}
