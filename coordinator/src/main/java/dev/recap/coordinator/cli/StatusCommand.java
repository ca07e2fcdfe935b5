package dev.recap.coordinator.cli;

import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code recap status [JOB]}: workers and jobs of a running coordinator. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show live workers and jobs (or one job) of a running coordinator.")
final class StatusCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "A job id; all jobs if omitted.")
  String jobId;

  @Mixin
  ApiOptions coordinator;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    ApiClient client = coordinator.client();
    if (jobId != null) {
      ApiClient.Response r = client.get("/api/jobs/" + jobId);
      if (r.status() != 200) {
        spec.commandLine().getErr().println("recap status: " + r.body().getString("error"));
        return RecapCli.ERROR;
      }
      print(out, JobStatus.fromJson(r.body()));
      return RecapCli.OK;
    }
    ApiClient.Response workers = client.get("/api/workers");
    if (workers.status() != 200) {
      spec.commandLine().getErr().println("recap status: HTTP " + workers.status() + ": " + workers.body().getString("error"));
      return RecapCli.ERROR;
    }
    var list = workers.body().getJsonArray("workers");
    out.println(list.size() + " live worker(s)");
    list.forEach(o -> {
      JsonObject w = (JsonObject) o;
      out.printf("  %-28s %-15s %s  %d core(s)  %d slot(s)  %d lease(s)  plugins %s%n", w.getString("workerId"),
          w.getString("host"), w.getString("device"), w.getInteger("cores"), w.getInteger("slots"),
          w.getInteger("leases"), w.getJsonArray("plugins").stream().map(p -> ((JsonObject) p).getString("id")).toList());
    });
    var jobs = client.get("/api/jobs").body().getJsonArray("jobs");
    out.println(jobs.size() + " job(s)");
    jobs.forEach(o -> print(out, JobStatus.fromJson((JsonObject) o)));
    return RecapCli.OK;
  }

  private static void print(java.io.PrintWriter out, JobStatus s) {
    out.printf("  %-40s %-9s stage %-12s %d/%d tasks  retries %d%s%n", s.jobId(), s.state(), s.stage(), s.tasksDone(),
        s.tasksTotal(), s.retries(), s.cause() == null ? "" : "  cause: " + s.cause());
  }
}
