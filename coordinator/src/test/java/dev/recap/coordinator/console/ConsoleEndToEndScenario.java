package dev.recap.coordinator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's end-to-end scenario, written once against the HTTP contract: a subclass supplies a
 * running coordinator with two workers and a tiny job spec, and the scenario drives the console in
 * real headless Chromium through it, screenshotting every page (see {@link BrowserHarness#screenshotDir()}).
 *
 * <p>Abstract on purpose: it runs only as a subclass that starts the real coordinator, e.g.
 * <pre>{@code
 * class ConsoleEndToEndTest extends ConsoleEndToEndScenario {
 *     protected Cluster startCoordinatorWithTwoWorkers() throws Exception { ... embedded coordinator + 2 workers ... }
 *     protected String tinyJobSpec() { return "...tiny caption-quality spec..."; }
 *     protected String rejectedJobSpec() { return "...same spec with an unknown encoder plugin..."; }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConsoleEndToEndScenario {

    /** A coordinator with its workers, reachable over HTTP; closing it stops them all. */
    public interface Cluster extends AutoCloseable {
        /** The coordinator's HTTP origin, e.g. {@code http://127.0.0.1:8080}. */
        String baseUrl();

        /** The API token the coordinator was started with. */
        String token();
    }

    /** Starts the coordinator and exactly two workers, and returns once the coordinator's HTTP API answers. */
    protected abstract Cluster startCoordinatorWithTwoWorkers() throws Exception;

    /** A job spec small enough to finish in well under {@link #jobTimeout()} on two CPU workers. */
    protected abstract String tinyJobSpec();

    /** A spec the coordinator must reject with a line/field error (e.g. an unknown plugin); null skips that step. */
    protected String rejectedJobSpec() {
        return null;
    }

    /** Whether the workers load plugins (a pool started without a plugins directory has none). */
    protected boolean workersHavePlugins() {
        return true;
    }

    /** Whether the tiny job trains (and so has a loss series for the Jobs page's charts). */
    protected boolean jobReportsTrainingCurves() {
        return true;
    }

    protected Duration jobTimeout() {
        return Duration.ofMinutes(5);
    }

    /** A run the job's results table must list with numbers; null skips that check. */
    protected String expectedRun() {
        return null;
    }

    /** Conformance verdicts the Plugins page must reach, by plugin id (e.g. {@code vit -> pass}); empty skips that check. */
    protected Map<String, String> expectedConformance() {
        return Map.of();
    }

    private static final Duration SHORT = Duration.ofSeconds(30);

    private Cluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = startCoordinatorWithTwoWorkers();
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void consoleShowsTwoWorkersRunsATinyJobToCompletionAndShowsItsResults() {
        try (BrowserHarness browser = BrowserHarness.start()) {
            ConsolePage console = new ConsolePage(browser, cluster.baseUrl());
            console.openWithToken(cluster.token());
            assertFalse(browser.currentUrl().contains(cluster.token()), "the token must leave the address bar");

            List<String> workers = console.awaitWorkers(2, SHORT);
            assertEquals(2, workers.stream().distinct().count(), "two distinct workers: " + workers);
            browser.screenshot("cluster");

            List<String> plugins = console.pluginRows();
            assertEquals(workersHavePlugins(), !plugins.isEmpty(), "plugins shown: " + plugins);
            // the Plugins screenshot is taken at the end, once the workers' conformance kits have reported

            if (rejectedJobSpec() != null) {
                List<String> errors = console.submitExpectingErrors(rejectedJobSpec(), SHORT);
                // each error names where: "line N · field: why", "field: why" or "line N: why"
                assertTrue(errors.stream().allMatch(e -> e.matches("(?s)[^:]+\\S: .+")), "errors name their line or field: " + errors);
                if (errors.stream().anyMatch(e -> e.startsWith("line "))) {
                    assertFalse(console.errorLines().isEmpty(), "the editor marks the erroneous line");
                }
                browser.screenshot("submit-errors");
                // Chromium logs the rejection (400 from POST /api/jobs) as a failed load: wait for
                // that entry, and let nothing else through with it
                Predicate<String> rejection = BrowserHarness.failedLoad(Pattern.quote(cluster.baseUrl() + "/api/jobs"), 400);
                List<String> logged = new ArrayList<>();
                browser.await("the rejected submission in the browser log", SHORT, d -> {
                    logged.addAll(browser.browserErrors());
                    return logged.stream().anyMatch(rejection) ? Boolean.TRUE : null;
                });
                List<String> unexpected = logged.stream().filter(rejection.negate()).toList();
                assertTrue(unexpected.isEmpty(), "browser console errors besides the rejected submission: " + unexpected);
            }

            String jobId = console.submit(tinyJobSpec(), SHORT);
            console.go("jobs/" + jobId);
            browser.await("job " + jobId + " under way", SHORT, d -> console.jobPercent() > 0 ? Boolean.TRUE : null);
            browser.screenshot("job-running");

            console.awaitJobPercent(jobId, 100, jobTimeout());
            browser.await("job " + jobId + " in a final state", SHORT,
                    d -> console.jobState().matches("(?i)succeeded|completed|done|finished") ? Boolean.TRUE : null);
            if (jobReportsTrainingCurves()) {
                assertTrue(console.chartPoints("loss") > 0, "the loss chart has points");
                // the points the chart holds are the losses the trainer reported, as the API records them
                List<Double> loss = console.chartValues("loss");
                assertTrue(loss.stream().allMatch(v -> Double.isFinite(v) && v > 0), "loss chart values: " + loss);
                List<Double> recorded = seriesValues(jobId, "loss");
                for (double v : loss) {
                    assertTrue(recorded.stream().anyMatch(r -> Math.abs(r - v) <= 1e-6 * Math.max(1, Math.abs(v))),
                            "chart loss " + v + " is not among the job's recorded losses " + recorded);
                }
                assertFalse(console.chartValues("lr").isEmpty(), "the learning-rate chart has points");
                assertFalse(console.chartValues("logit_scale").isEmpty(), "the logit-scale chart has points");
            }
            browser.screenshot("job");
            console.go("jobs");
            browser.screenshot("jobs");

            List<String> runs = console.awaitResultRuns(jobId, SHORT);
            assertFalse(runs.isEmpty());
            if (expectedRun() != null) {
                assertTrue(runs.contains(expectedRun()), "results rows " + runs + " lack run " + expectedRun());
                Map<String, String> metrics = console.resultMetrics(expectedRun());
                assertTrue(metrics.values().stream().anyMatch(ConsoleEndToEndScenario::isNumber),
                        "run " + expectedRun() + " shows no number in the results table: " + metrics);
            }
            assertTrue(console.awaitPredictionImage(SHORT) > 0, "a prediction image decoded in the browser");
            browser.screenshot("results");

            if (!expectedConformance().isEmpty()) {
                console.go("plugins");
                Map<String, String> seen = browser.await("conformance verdicts " + expectedConformance() + " on the Plugins page",
                        Duration.ofSeconds(90), d -> {
                            Map<String, String> now = console.pluginConformance();
                            return expectedConformance().entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey())))
                                    ? now : null;
                        });
                assertFalse(seen.containsValue("pending"), "every kit has reported: " + seen);
            }
            browser.screenshot("plugins");
            // a real coordinator answers every call of this scenario with 2xx: any error here (a
            // failed API call, a script error, a missing file) is a fault of the console or the API
            List<String> errors = browser.browserErrors();
            assertTrue(errors.isEmpty(), "browser console errors: " + errors);
        }
    }

    private static boolean isNumber(String text) {
        try {
            return Double.isFinite(Double.parseDouble(text.replace(",", "").replace("%", "").trim()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The values of the job's metric series whose name ends with {@code suffix}, from the REST API. */
    private List<Double> seriesValues(String jobId, String suffix) {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(cluster.baseUrl() + "/api/jobs/" + jobId)).header("Authorization", "Bearer " + cluster.token())
                    .timeout(SHORT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            JsonObject series = new JsonObject(answer.body()).getJsonObject("series", new JsonObject());
            List<Double> values = new ArrayList<>();
            for (String name : series.fieldNames()) {
                if (name.equals(suffix) || name.endsWith("/" + suffix)) {
                    series.getJsonArray(name).forEach(point -> values.add(((JsonArray) point).getDouble(1)));
                }
            }
            return values;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void withoutTheTokenTheApiAnswers401() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/api/workers", "/api/jobs", "/api/plugins", "/api/stream", "/api/jobs/no-such-job/results")) {
            HttpResponse<Void> bare = http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + path)).timeout(SHORT).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(401, bare.statusCode(), "GET " + path + " without a token");
            HttpResponse<Void> wrong = http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + path)).timeout(SHORT)
                    .header("Authorization", "Bearer not-" + cluster.token()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(401, wrong.statusCode(), "GET " + path + " with a wrong token");
        }
        HttpResponse<String> submit = http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/api/jobs"))
                .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(tinyJobSpec())).timeout(SHORT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, submit.statusCode(), "POST /api/jobs without a token");
        HttpResponse<String> cors = http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/api/workers"))
                .header("Origin", "http://elsewhere.example").header("Authorization", "Bearer " + cluster.token()).timeout(SHORT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertNotEquals("*", cors.headers().firstValue("Access-Control-Allow-Origin").orElse(""), "no CORS wildcard");
    }
}
