package dev.recap.plugins.captioners;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A learned captioner's state directory: the architecture ({@value #ARCHITECTURE_FILE}), the
 * vocabulary ({@value #VOCABULARY_FILE}) and the network's parameters ({@value #PARAMETERS_FILE}).
 */
final class LearnedState {

  static final String VOCABULARY_FILE = "vocabulary.txt";
  static final String PARAMETERS_FILE = "captioner.params";
  static final String ARCHITECTURE_FILE = "captioner.properties";

  private LearnedState() {}

  /** Writes the three files into {@code directory}, creating it if needed. */
  static void save(Path directory, LearnedArchitecture architecture, WordVocabulary vocabulary, ImageCaptionModel network)
      throws IOException {
    Files.createDirectories(directory);
    vocabulary.save(directory.resolve(VOCABULARY_FILE));
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(directory.resolve(PARAMETERS_FILE)))) {
      network.saveParameters(new DataOutputStream(out));
    }
    Properties p = new Properties();
    p.putAll(architecture.asProperties());
    try (Writer w = Files.newBufferedWriter(directory.resolve(ARCHITECTURE_FILE), StandardCharsets.UTF_8)) {
      p.store(w, "learned captioner architecture");
    }
  }

  /**
   * The config keys the state recorded (they win over a session's own).
   *
   * @throws IOException naming the directory if it holds no saved architecture
   */
  static Map<String, Object> architectureKeys(Path state) throws IOException {
    Path arch = state.resolve(ARCHITECTURE_FILE);
    if (!Files.isRegularFile(arch)) {
      throw new IOException("config key 'state' = " + state + " is not a learned-captioner state directory (no " + ARCHITECTURE_FILE
          + "); write one with Session.save");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(arch, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, Object> saved = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> saved.put(k, p.getProperty(k)));
    return saved;
  }

  static WordVocabulary vocabulary(Path state) throws IOException {
    return WordVocabulary.load(state.resolve(VOCABULARY_FILE));
  }

  /**
   * Loads the saved parameters into an initialized {@code network}.
   *
   * @throws IOException naming the file if they do not fit the network
   */
  static void loadParameters(Path state, ImageCaptionModel network, NDManager manager) throws IOException {
    Path file = state.resolve(PARAMETERS_FILE);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      network.loadParameters(manager, new DataInputStream(in));
    } catch (MalformedModelException e) {
      throw new IOException("parameters in " + file + " do not fit the saved architecture: " + e.getMessage(), e);
    }
  }
}
