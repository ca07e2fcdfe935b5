package dev.recap.coordinator.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code recap plugin push JAR} and {@code recap plugin list}: plugins published to a running cluster. */
@Command(name = "plugin", mixinStandardHelpOptions = true, description = "Publish plugin jars to a running cluster and list them.",
    subcommands = {PluginCommand.Push.class, PluginCommand.ListPublished.class})
final class PluginCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return RecapCli.INVALID;
  }

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = "Publish a PF4J plugin jar: the coordinator keeps it by checksum, workers fetch it, check it and run its"
          + " conformance kits before offering it to jobs.")
  static final class Push implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    @Parameters(index = "0", paramLabel = "JAR", description = "The plugin jar.")
    Path jar;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!Files.isRegularFile(jar)) {
        err.println("recap plugin push: no file " + jar);
        return RecapCli.INVALID;
      }
      String name = jar.getFileName().toString();
      ApiClient.Response r = options.client().postBytes("/api/plugins?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8),
          Files.readAllBytes(jar));
      if (r.status() != 200 && r.status() != 201) {
        err.println("recap plugin push: " + r.body().getString("error", "HTTP " + r.status()));
        return r.status() == 400 || r.status() == 409 ? RecapCli.INVALID : RecapCli.ERROR;
      }
      JsonObject p = r.body().getJsonObject("published");
      out.printf("%s %s@%s (sha-256 %s, %d bytes)%n", r.body().getBoolean("added") ? "published" : "already published",
          p.getString("pluginId"), p.getString("version"), p.getString("sha256"), p.getLong("sizeBytes"));
      out.println("workers fetch it and run its conformance kits; 'recap plugin list' shows where it is loaded");
      return RecapCli.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List published plugins: version, checksum, conformance kit status, workers that loaded them.")
  static final class ListPublished implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      ApiClient.Response r = options.client().get("/api/plugins");
      if (r.status() != 200) {
        spec.commandLine().getErr().println("recap plugin list: " + r.body().getString("error", "HTTP " + r.status()));
        return RecapCli.ERROR;
      }
      print(out, r.body().getJsonArray("published", new JsonArray()));
      return RecapCli.OK;
    }

    static void print(PrintWriter out, JsonArray published) {
      if (published.isEmpty()) {
        out.println("no published plugins ('recap plugin push JAR' publishes one)");
        return;
      }
      out.printf("%-24s %-10s %-12s %-10s %s%n", "PLUGIN", "VERSION", "SHA-256", "KIT", "LOADED ON");
      for (Object o : published) {
        JsonObject p = (JsonObject) o;
        JsonArray loadedOn = p.getJsonArray("loadedOn", new JsonArray());
        out.printf("%-24s %-10s %-12s %-10s %s%n", p.getString("pluginId"), p.getString("version"), p.getString("shortSha"),
            p.getString("kit"), loadedOn.isEmpty() ? "-" : String.join(", ", loadedOn.stream().map(String::valueOf).toList()));
        String message = p.getString("kitMessage", "");
        if (!message.isEmpty()) {
          out.println("    " + p.getString("kit") + ": " + message);
        }
        for (Object w : p.getJsonArray("workers", new JsonArray())) {
          JsonObject s = (JsonObject) w;
          if (!"loaded".equals(s.getString("state"))) {
            out.println("    worker " + s.getString("workerId") + ": " + s.getString("state")
                + (s.getString("message", "").isEmpty() ? "" : ": " + s.getString("message")));
          }
        }
      }
    }
  }
}
