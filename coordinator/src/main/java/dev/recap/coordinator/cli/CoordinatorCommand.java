package dev.recap.coordinator.cli;

import dev.recap.bus.RecapCluster;
import dev.recap.coordinator.console.ConsoleRoutes;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.web.RestApi;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code recap coordinator}: a long-running coordinator with the REST API. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
    description = "Run a coordinator: forms (or joins) the cluster, recovers unfinished jobs from its journal, serves the REST API.")
final class CoordinatorCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ClusterArgs cluster = new ClusterArgs();

  @Option(names = "--state", defaultValue = "recap-state", description = "Journal, token and address files (default: ${DEFAULT-VALUE}).")
  Path state;

  @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "REST API address (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--http-port", defaultValue = "8080", description = "REST API port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--token", description = "API token (default: $RECAP_TOKEN, else a new one printed once).")
  String token;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    String apiToken = token != null ? token : System.getenv("RECAP_TOKEN");
    boolean generated = apiToken == null || apiToken.isBlank();
    if (generated) {
      apiToken = CoordinatorState.newToken();
    }
    RecapCluster member = RecapCluster.start(cluster.toOptions());
    Coordinator coordinator = null;
    try {
      coordinator = Coordinator.start(member, StagePlanners.fromClassPath(), Coordinator.Options.defaults(state));
      HttpServer http = RestApi.start(member.vertx(), coordinator, apiToken, httpHost, httpPort);
      String api = "http://" + httpHost + ":" + http.actualPort();
      CoordinatorState.write(state, member.address(), cluster.clusterName, api, apiToken, spec.commandLine().getErr());
      out.println("coordinator ready: cluster " + cluster.clusterName + " at " + member.address() + ", API " + api
          + ", journal " + coordinator.journalFile());
      out.println("workers join with: recap worker --join " + member.address()
          + (cluster.clusterName.equals("recap") ? "" : " --cluster-name " + cluster.clusterName));
      if (generated) {
        // printed once, never logged; 'recap status' reads it from the state directory
        out.println("API token (shown once, also in " + state.resolve("token") + "): " + apiToken);
        out.println("console: " + ConsoleRoutes.consoleUrl(api, apiToken));
      } else {
        // a token the operator chose may sit in a service's captured stdout: do not echo it
        out.println("console: " + api + ConsoleRoutes.MOUNT + "/ (sign in with your API token)");
      }
      out.flush();
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
      return RecapCli.OK;
    } finally {
      if (coordinator != null) {
        coordinator.close();
      }
      member.close();
    }
  }
}
