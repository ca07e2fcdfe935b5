package dev.recap.worker.report;

import java.nio.file.Path;

/** An input file of the report that is missing or garbled; names the file and the field. */
public final class ReportInputException extends Exception {

  private final Path file;
  private final String field;

  public ReportInputException(Path file, String field, String message) {
    super(file + (field == null ? "" : ": field '" + field + "'") + ": " + message);
    this.file = file;
    this.field = field;
  }

  public Path file() {
    return file;
  }

  /** The offending field (a JSON path or CSV column/line), or null when the whole file is unusable. */
  public String field() {
    return field;
  }
}
