package dev.recap.worker.data;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Where a pair's caption is in its WebDataset record: {@code txt} (the member {@code key.txt},
 * as img2dataset writes the caption column) or {@code json:<field>} (a field of {@code key.json};
 * a dotted name reaches into nested objects, {@code json:meta.caption}).
 *
 * @param spec the text form, as a job spec writes it
 * @param jsonField the field of {@code key.json}, or null for {@code txt}
 */
public record CaptionField(String spec, String jsonField) {

  /** {@code key.txt}. */
  public static final CaptionField TXT = new CaptionField("txt", null);

  /**
   * Reads the text form.
   *
   * @throws IllegalArgumentException saying which forms are accepted
   */
  public static CaptionField parse(String spec) {
    if (spec.equals("txt")) {
      return TXT;
    }
    if (spec.startsWith("json:") && spec.substring(5).matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
      return new CaptionField(spec, spec.substring(5));
    }
    throw new IllegalArgumentException("caption source '" + spec + "' is neither txt (key.txt) nor json:<field> (a field of"
        + " key.json, e.g. json:caption)");
  }

  /**
   * The caption of {@code record}, stripped of surrounding white space, or null when the record
   * has none (no such member or field, or only white space).
   *
   * @throws BadSampleException {@link SkipReason#BAD_METADATA} if {@code key.json} is needed but
   *     is not a JSON object, or the field holds an object or a list instead of text
   */
  public String read(RawRecord record) throws BadSampleException {
    if (jsonField == null) {
      byte[] txt = record.members().get("txt");
      return txt == null ? null : blankToNull(new String(txt, StandardCharsets.UTF_8));
    }
    byte[] json = record.members().get("json");
    if (json == null) {
      return null;
    }
    Object value;
    try {
      value = new JsonObject(new String(json, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw new BadSampleException(SkipReason.BAD_METADATA, "key.json is not a JSON object: " + e.getMessage(), e);
    }
    for (String part : jsonField.split("\\.")) {
      if (!(value instanceof JsonObject object)) {
        return null;
      }
      value = object.getValue(part);
    }
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      throw new BadSampleException(SkipReason.BAD_METADATA, "key.json field '" + jsonField + "' is "
          + (value instanceof JsonObject ? "an object" : "a list") + ", not a caption");
    }
    return blankToNull(String.valueOf(value));
  }

  private static String blankToNull(String s) {
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }

  @Override
  public String toString() {
    return spec;
  }
}
