package dev.recap.coordinator.cli;

import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code recap submit SPEC}: send a job to a running coordinator. */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a job spec to a running coordinator.")
final class SubmitCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SPEC", description = "Job spec (YAML).")
  Path specFile;

  @Option(names = "--wait", description = "Show progress until the job finishes; exit 1 if it fails.")
  boolean wait;

  @Mixin
  ApiOptions coordinator;

  @Mixin
  SpecProfileOptions profiles;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    String yaml = profiles.read(specFile, "recap submit", err);
    if (yaml == null) {
      return RecapCli.INVALID;
    }
    ApiClient client = coordinator.client();
    // relative paths in the spec (a dataset's shards) resolve against the spec file's folder
    String folder = specFile.toAbsolutePath().normalize().getParent().toString();
    ApiClient.Response r = client.post("/api/jobs?folder=" + java.net.URLEncoder.encode(folder, java.nio.charset.StandardCharsets.UTF_8),
        yaml);
    if (r.status() == 400) {
      err.println("invalid job spec " + specFile + ":");
      r.body().getJsonArray("problems").forEach(p -> {
        JsonObject o = (JsonObject) p;
        err.println("  " + o.getString("field") + ": " + o.getString("message"));
      });
      return RecapCli.INVALID;
    }
    if (r.status() != 201) {
      err.println("recap submit: HTTP " + r.status() + ": " + r.body().getString("error"));
      return RecapCli.ERROR;
    }
    String jobId = r.body().getString("jobId");
    out.println("job " + jobId);
    if (!wait) {
      return RecapCli.OK;
    }
    ProgressLine progress = new ProgressLine(out, System.console() != null, System::currentTimeMillis);
    while (true) {
      // the job as the console sees it: its stages carry samples/s and ETA from running tasks
      JsonObject job = client.get("/api/jobs/" + jobId).body();
      JobStatus s = JobStatus.fromJson(job);
      if (s.finished()) {
        progress.end(s);
        return s.state().equals("SUCCEEDED") ? RecapCli.OK : RecapCli.JOB_FAILED;
      }
      progress.show(s, job);
      Thread.sleep(500);
    }
  }
}
