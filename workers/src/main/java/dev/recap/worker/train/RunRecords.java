package dev.recap.worker.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * What a gang run keeps on disk beside its checkpoints, so that it outlives the whole gang (the
 * cluster's copy of the run's state dies with the members that held it):
 *
 * <ul>
 *   <li>{@code committed-loss.csv}: the committed steps' loss lines, appended by rank 0 at each
 *       commit. A step trained again after a resume from disk is appended again; its last line
 *       counts.
 *   <li>{@code slots.txt}: the {@code samples.txt} of every slot that trained in the run
 *       (relative to the job's directory), so a
 *       resume from disk can take the keys of the steps it trains again out of all of them, also
 *       out of slots whose workers are gone.
 * </ul>
 */
final class RunRecords {

  private static final String LOSS = "committed-loss.csv";
  private static final String SLOTS = "slots.txt";

  private final Path directory;

  RunRecords(Path directory) {
    this.directory = directory;
  }

  /** Lists a slot's {@code samples.txt} (once; a slot leased again finds itself listed). */
  synchronized void register(Path samplesFile) throws IOException {
    Files.createDirectories(directory);
    // relative to the job's directory where possible: hosts may mount the shared file system elsewhere
    Path file = samplesFile.toAbsolutePath();
    Path job = directory.toAbsolutePath().getParent();
    String entry = job != null && file.startsWith(job) ? job.relativize(file).toString() : file.toString();
    if (!slots().contains(entry)) {
      append(directory.resolve(SLOTS), List.of(entry));
    }
  }

  /** Appends committed loss lines ({@code step,...}). */
  void appendLoss(Collection<String> lines) throws IOException {
    if (!lines.isEmpty()) {
      Files.createDirectories(directory);
      append(directory.resolve(LOSS), lines);
    }
  }

  /** The last committed loss line of each step, by step. */
  Map<Long, String> lossByStep() throws IOException {
    Map<Long, String> byStep = new TreeMap<>();
    Path file = directory.resolve(LOSS);
    if (Files.isRegularFile(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int comma = line.indexOf(',');
        try {
          byStep.put(Long.parseLong(line.substring(0, Math.max(0, comma))), line);
        } catch (NumberFormatException e) {
          // a line torn by a kill while it was appended; the step's next commit writes it whole
        }
      }
    }
    return byStep;
  }

  /**
   * Removes the keys of steps {@code >= step} from every listed {@code samples.txt} (each file
   * replaced atomically), and lines a kill tore. Returns how many keys were removed.
   */
  synchronized int dropSamplesFrom(long step, ToLongFunction<String> stepOfKey) throws IOException {
    int dropped = 0;
    for (String slot : slots()) {
      Path job = directory.toAbsolutePath().getParent();
      Path file = job == null ? Path.of(slot) : job.resolve(slot);
      if (!Files.isRegularFile(file)) {
        continue;
      }
      List<String> keys = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<String> kept = new ArrayList<>(keys.size());
      for (String key : keys) {
        try {
          if (stepOfKey.applyAsLong(key) < step) {
            kept.add(key);
          }
        } catch (IllegalArgumentException e) {
          // not a whole key: torn by a kill while it was appended
        }
      }
      if (kept.size() < keys.size()) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".rollback.tmp");
        Files.write(temp, kept, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        dropped += keys.size() - kept.size();
      }
    }
    return dropped;
  }

  private Set<String> slots() throws IOException {
    Path file = directory.resolve(SLOTS);
    return Files.isRegularFile(file)
        ? new LinkedHashSet<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : Set.of();
  }

  private static void append(Path file, Collection<String> lines) throws IOException {
    StringBuilder b = new StringBuilder();
    lines.forEach(l -> b.append(l).append('\n'));
    // one write per call: appends of concurrent writers do not interleave within it
    Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
