package dev.recap.coordinator.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a running coordinator is and its token: the options of every command that talks to its REST API. */
final class ApiOptions {
  @Option(names = "--api", description = "Coordinator API URL (default: from the state directory).")
  String api;

  @Option(names = "--token", description = "API token (default: $RECAP_TOKEN, else from the state directory).")
  String token;

  @Option(names = "--state", defaultValue = "recap-state", description = "Coordinator state directory (default: ${DEFAULT-VALUE}).")
  Path state;

  ApiClient client() throws IOException {
    return ApiClient.resolve(api, token, state);
  }
}
