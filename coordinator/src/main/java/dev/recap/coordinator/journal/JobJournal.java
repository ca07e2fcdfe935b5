package dev.recap.coordinator.journal;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of JSON lines, one per event that must survive the coordinator: a job
 * submitted (with its spec), a task done (with outputs), an attempt lost, a job finished, a
 * plugin jar published (its id, version and SHA-256; the jar itself is kept beside the journal).
 *
 * <p>Every append is flushed to the operating system before it returns, so the record survives
 * the coordinator being SIGKILLed (not a power cut: that would need an fsync per record). A torn
 * last line, from a kill mid-write, is skipped on replay.
 */
public final class JobJournal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobJournal.class);

  private final Path file;
  private final List<JsonObject> replayed;
  private final Writer out;

  private JobJournal(Path file, List<JsonObject> replayed, Writer out) {
    this.file = file;
    this.replayed = replayed;
    this.out = out;
  }

  /** Opens (creating) {@code directory/journal.jsonl}, reading what it already holds. */
  public static JobJournal open(Path directory) {
    try {
      Files.createDirectories(directory);
      Path file = directory.resolve("journal.jsonl");
      List<JsonObject> records = new ArrayList<>();
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (line.isBlank()) {
            continue;
          }
          try {
            records.add(new JsonObject(line));
          } catch (DecodeException e) {
            LOG.warn("journal {} line {} is torn (coordinator killed mid-write?); skipped", file, i + 1);
          }
        }
      }
      Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND));
      // a torn last line would glue onto the next record: start on a fresh line
      out.write('\n');
      out.flush();
      return new JobJournal(file, records, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the job journal in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** The records present when the journal was opened, oldest first. */
  public List<JsonObject> replayed() {
    return List.copyOf(replayed);
  }

  /** Appends one record and flushes it. */
  public synchronized void append(JsonObject record) {
    try {
      out.write(record.encode());
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the job journal " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      LOG.warn("closing journal {}: {}", file, e.toString());
    }
  }
}
