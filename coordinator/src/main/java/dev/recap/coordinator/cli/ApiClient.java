package dev.recap.coordinator.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** The CLI's client of the coordinator's REST API. */
final class ApiClient {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String api;
  private final String token;

  ApiClient(String api, String token) {
    this.api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
    this.token = token;
  }

  /** From explicit options, else $RECAP_TOKEN, else the coordinator's state directory. */
  static ApiClient resolve(String api, String token, Path state) throws IOException {
    String url = api != null ? api : CoordinatorState.read(state).getString("api");
    String t = token != null ? token : System.getenv("RECAP_TOKEN");
    if (t == null || t.isBlank()) {
      t = CoordinatorState.token(state);
    }
    return new ApiClient(url, t);
  }

  record Response(int status, JsonObject body) {}

  Response get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(api + path)).GET());
  }

  Response post(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/yaml")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** POSTs raw bytes (a plugin jar). */
  Response postBytes(String path, byte[] body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/java-archive")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request.header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject body;
    try {
      body = r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
    } catch (RuntimeException e) {
      body = new JsonObject().put("error", r.body());
    }
    return new Response(r.statusCode(), body);
  }
}
