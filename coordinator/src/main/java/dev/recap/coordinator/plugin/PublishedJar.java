package dev.recap.coordinator.plugin;

import io.vertx.core.json.JsonObject;

/**
 * One published plugin jar as the coordinator recorded it.
 *
 * @param name the jar's file name as the user pushed it (for people; the store names it by checksum)
 * @param sha256 lower-case hex SHA-256 of its bytes
 */
public record PublishedJar(String pluginId, String version, String sha256, long sizeBytes, String name,
    long publishedAtMillis) {

  /** The journal record of this publication. */
  JsonObject toJournal() {
    return new JsonObject().put("type", "plugin").put("pluginId", pluginId).put("version", version)
        .put("sha256", sha256).put("size", sizeBytes).put("name", name).put("time", publishedAtMillis);
  }

  static PublishedJar fromJournal(JsonObject r) {
    return new PublishedJar(r.getString("pluginId"), r.getString("version"), r.getString("sha256"),
        r.getLong("size", 0L), r.getString("name", ""), r.getLong("time", 0L));
  }

  /** {@code id@version}, as job specs pin it. */
  public String coordinates() {
    return pluginId + "@" + version;
  }

  /** The first 12 hex digits of the checksum, as listings show it. */
  public String shortSha() {
    return sha256.substring(0, Math.min(12, sha256.length()));
  }

  public JsonObject toJson() {
    return new JsonObject().put("pluginId", pluginId).put("version", version).put("sha256", sha256)
        .put("sizeBytes", sizeBytes).put("name", name).put("publishedAtMillis", publishedAtMillis);
  }
}
