package dev.recap.api.caption;

/**
 * A captioner's answer for one request: a non-empty {@code text}, or null text and a
 * {@code reason} saying why there is no caption.
 */
public record Caption(String key, String text, String reason) {
  public Caption {
    if ((text == null || text.isBlank()) && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException("caption for '" + key + "' is empty and gives no reason");
    }
  }

  public static Caption of(String key, String text) {
    return new Caption(key, text, null);
  }

  public static Caption none(String key, String reason) {
    return new Caption(key, null, reason);
  }

  public boolean present() {
    return text != null && !text.isBlank();
  }
}
