package dev.recap.worker.train;

import ai.djl.MalformedModelException;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A training checkpoint: parameters (DJL's format), AdamW state, the step, the caller's data
 * position, and SHA-256 checksums of both files, in a directory {@code root/step-NNNNNNNNN} with a
 * small {@code manifest.json}.
 *
 * <p>Written atomically: everything goes into a temporary sibling directory that is renamed into
 * place, then the {@code LATEST} pointer file is replaced by rename. A crash leaves either the
 * previous checkpoint or the new one, never a torn one. Resume is bit-exact: the parameters, the
 * optimizer moments and the step are restored exactly, and training steps are deterministic.
 *
 * <p>A checkpoint may carry the run's history up to its step ({@code history.csv}, e.g. the loss
 * lines), so a resumed run's curve goes on without a gap. Only the newest {@link #KEEP}
 * checkpoints of a root are kept.
 */
public final class Checkpoint {

  static final String FORMAT = "recap-clip-checkpoint/1";
  static final String PARAMETERS = "parameters.djl";
  static final String OPTIMIZER = "optimizer.bin";
  static final String MANIFEST = "manifest.json";
  static final String HISTORY = "history.csv";
  static final String LATEST = "LATEST";

  /** Checkpoints kept per root: the newest, and one before it in case the newest is damaged. */
  public static final int KEEP = 2;

  /**
   * Where the data pipeline is, opaque to the trainer: a position (e.g. samples consumed this
   * epoch) and any state bytes the pipeline needs to continue exactly there.
   */
  public record DataPosition(long position, byte[] state) {
    public DataPosition {
      state = state.clone();
    }

    @Override
    public byte[] state() {
      return state.clone();
    }
  }

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private final Path directory;
  private final long step;
  private final long parameterChecksum;
  private final DataPosition dataPosition;

  private final float lossScale;
  private final int cleanSteps;
  private final boolean hasHistory;

  private Checkpoint(Path directory, long step, long parameterChecksum, DataPosition dataPosition, float lossScale,
      int cleanSteps, boolean hasHistory) {
    this.hasHistory = hasHistory;
    this.lossScale = lossScale;
    this.cleanSteps = cleanSteps;
    this.directory = directory;
    this.step = step;
    this.parameterChecksum = parameterChecksum;
    this.dataPosition = dataPosition;
  }

  public Path directory() {
    return directory;
  }

  /** The step training resumes at (the number of steps taken before the save). */
  public long step() {
    return step;
  }

  public DataPosition dataPosition() {
    return dataPosition;
  }

  /** CRC-32 of the parameters at save time (see {@link ClipTrainer#parameterChecksum()}). */
  public long parameterChecksum() {
    return parameterChecksum;
  }

  /** Saves the trainer's state under {@code root} and points {@code root/LATEST} at it. */
  public static Checkpoint save(Path root, Checkpointable trainer, DataPosition position) throws IOException {
    return save(root, trainer, position, null);
  }

  /**
   * Saves the trainer's state and {@code history} (the run's lines up to this step, or null)
   * under {@code root}, points {@code root/LATEST} at it and drops all but the newest
   * {@link #KEEP}. A checkpoint of the same step already there (left by an attempt that died
   * before it moved {@code LATEST}) is replaced: training is deterministic, so it held the same.
   */
  public static Checkpoint save(Path root, Checkpointable trainer, DataPosition position, String history)
      throws IOException {
    Files.createDirectories(root);
    String name = String.format("step-%09d", trainer.step());
    Path target = root.resolve(name);
    Path tmp = Files.createTempDirectory(root, "." + name + ".tmp-");
    try {
      String paramSha;
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(PARAMETERS)));
          DataOutputStream out = new DataOutputStream(os)) {
        trainer.saveParameters(out);
      }
      paramSha = sha256(tmp.resolve(PARAMETERS));
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(OPTIMIZER)));
          DataOutputStream out = new DataOutputStream(os)) {
        trainer.optimizer().writeState(out);
      }
      JsonObject manifest = new JsonObject();
      manifest.addProperty("format", FORMAT);
      manifest.addProperty("step", trainer.step());
      manifest.addProperty("parameterChecksum", trainer.parameterChecksum());
      manifest.addProperty("lossScale", trainer.lossScale());
      manifest.addProperty("cleanSteps", trainer.cleanSteps());
      manifest.addProperty("dataPosition", position.position());
      manifest.addProperty("dataState", Base64.getEncoder().encodeToString(position.state()));
      JsonObject files = new JsonObject();
      files.addProperty(PARAMETERS, paramSha);
      files.addProperty(OPTIMIZER, sha256(tmp.resolve(OPTIMIZER)));
      if (history != null) {
        Files.writeString(tmp.resolve(HISTORY), history, StandardCharsets.UTF_8);
        files.addProperty(HISTORY, sha256(tmp.resolve(HISTORY)));
      }
      manifest.add("sha256", files);
      Files.writeString(tmp.resolve(MANIFEST), GSON.toJson(manifest), StandardCharsets.UTF_8);
      if (Files.exists(target)) {
        Path replaced = Files.createTempDirectory(root, "." + name + ".replaced-");
        move(target, replaced.resolve(name));
        deleteTree(replaced);
      }
      move(tmp, target);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
    Path pointer = Files.createTempFile(root, ".LATEST", ".tmp");
    Files.writeString(pointer, name + "\n", StandardCharsets.UTF_8);
    move(pointer, root.resolve(LATEST));
    dropAllButNewest(root, KEEP);
    return load(target);
  }

  /** The checkpoint {@code root/LATEST} points at, if any. */
  public static Optional<Checkpoint> latest(Path root) throws IOException {
    Path pointer = root.resolve(LATEST);
    if (!Files.isRegularFile(pointer)) {
      return Optional.empty();
    }
    return Optional.of(load(root.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim())));
  }

  /**
   * The newest checkpoint under {@code root} that loads and verifies, if any. Damaged or partial
   * ones (a torn file, a checksum mismatch, a missing manifest) are skipped, each reported to
   * {@code warn} with the file and what is wrong, so training resumes from the one before.
   */
  public static Optional<Checkpoint> latestValid(Path root, Consumer<String> warn) throws IOException {
    for (Path dir : checkpointDirectories(root)) {
      try {
        return Optional.of(load(dir));
      } catch (IOException | RuntimeException e) {
        warn.accept("ignoring checkpoint " + dir + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** The history saved with this checkpoint ({@code ""} if none was). */
  public String history() throws IOException {
    return hasHistory ? Files.readString(directory.resolve(HISTORY), StandardCharsets.UTF_8) : "";
  }

  /** The {@code step-*} directories under {@code root}, newest first (temporary ones excluded). */
  private static List<Path> checkpointDirectories(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d{9}") && Files.isDirectory(p))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    }
  }

  /** Deletes older checkpoints and the leftovers of saves that died half-way. */
  private static void dropAllButNewest(Path root, int keep) throws IOException {
    List<Path> all = checkpointDirectories(root);
    for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
      deleteTree(old);
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("\\.(step-\\d{9}\\.(tmp|replaced)-|LATEST).*"))
          .toList()) {
        deleteTree(p);
      }
    }
  }

  /** Reads and verifies a checkpoint directory (manifest format, both files' checksums). */
  public static Checkpoint load(Path dir) throws IOException {
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new IOException("not a checkpoint: " + manifestFile + " is missing");
    }
    JsonObject m;
    try {
      m = GSON.fromJson(Files.readString(manifestFile, StandardCharsets.UTF_8), JsonObject.class);
    } catch (JsonParseException e) {
      throw new IOException(manifestFile + " is not valid JSON: " + e.getMessage(), e);
    }
    if (m == null || !m.has("format") || !FORMAT.equals(m.get("format").getAsString())) {
      throw new IOException(manifestFile + ": field 'format' must be " + FORMAT);
    }
    JsonObject sums = m.getAsJsonObject("sha256");
    if (sums == null || !sums.has(PARAMETERS) || !sums.has(OPTIMIZER)) {
      throw new IOException(manifestFile + ": field 'sha256' must list " + PARAMETERS + " and " + OPTIMIZER);
    }
    boolean hasHistory = sums.has(HISTORY);
    for (String file : hasHistory ? new String[] {PARAMETERS, OPTIMIZER, HISTORY} : new String[] {PARAMETERS, OPTIMIZER}) {
      String expected = sums.get(file).getAsString();
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new IOException(dir.resolve(file) + " is missing");
      }
      String actual = sha256(dir.resolve(file));
      if (!expected.equals(actual)) {
        throw new IOException(dir.resolve(file) + " is corrupt: SHA-256 " + actual + ", manifest says " + expected);
      }
    }
    DataPosition pos = new DataPosition(m.get("dataPosition").getAsLong(), Base64.getDecoder().decode(m.get("dataState").getAsString()));
    return new Checkpoint(dir, m.get("step").getAsLong(), m.get("parameterChecksum").getAsLong(), pos,
        m.get("lossScale").getAsFloat(), m.get("cleanSteps").getAsInt(), hasHistory);
  }

  /**
   * Puts this checkpoint's parameters, optimizer state and step into {@code trainer}, whose model
   * must have the same configuration.
   */
  public void restore(Checkpointable trainer, ai.djl.ndarray.NDManager manager) throws IOException {
    try (InputStream is = new BufferedInputStream(Files.newInputStream(directory.resolve(PARAMETERS)));
        DataInputStream in = new DataInputStream(is)) {
      trainer.restoreParameters(manager, in);
    } catch (MalformedModelException e) {
      throw new IOException(directory.resolve(PARAMETERS) + " does not fit this model: " + e.getMessage(), e);
    }
    try (InputStream is = new BufferedInputStream(Files.newInputStream(directory.resolve(OPTIMIZER)));
        DataInputStream in = new DataInputStream(is)) {
      trainer.optimizer().readState(in, directory.resolve(OPTIMIZER).toString());
    }
    trainer.restoreStep(step);
    trainer.restoreLossScale(lossScale, cleanSteps);
    if (trainer.parameterChecksum() != parameterChecksum) {
      throw new IOException(directory + ": restored parameters have checksum " + trainer.parameterChecksum()
          + ", the manifest " + parameterChecksum);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + to + " cannot rename atomically; checkpoints need one that can", e);
    }
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(file)), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
