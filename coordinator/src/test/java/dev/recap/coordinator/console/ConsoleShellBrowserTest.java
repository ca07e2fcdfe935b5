package dev.recap.coordinator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The console's shell in real headless Chromium, served by {@link ConsoleRoutes}, with no
 * coordinator behind /api: only a bearer-token gate that answers 401 without the token and 503
 * with it, recording what it was sent. It checks what the console does on its own (token from
 * the fragment into a header and out of the address bar, the 401 prompt, error display, the
 * polling fallback). The end-to-end test with real workers and jobs runs against the coordinator.
 */
class ConsoleShellBrowserTest {

    private static final String TOKEN = "shell-test-token-5f2c";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static Vertx vertx;
    private static HttpServer server;
    private static final List<String> authorizations = new CopyOnWriteArrayList<>();
    private static final List<String> uris = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = ConsoleRoutes.mount(Router.router(vertx));
        router.route("/api/*").handler(ctx -> {
            uris.add(ctx.request().uri());
            String authorization = ctx.request().getHeader("Authorization");
            authorizations.add(String.valueOf(authorization));
            boolean authorized = ("Bearer " + TOKEN).equals(authorization);
            ctx.response().setStatusCode(authorized ? 503 : 401).putHeader("Content-Type", "application/json")
                    .end(authorized ? "{\"error\":\"no coordinator API behind this test server\"}" : "{\"error\":\"token required\"}");
        });
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    @Test
    void withoutATokenTheConsoleAsksForOne() {
        try (BrowserHarness browser = BrowserHarness.start()) {
            ConsolePage console = new ConsolePage(browser, baseUrl());
            console.openWithoutToken();
            console.awaitTokenPrompt(WAIT);
            assertEquals("unauthorized", browser.await("live status 'unauthorized'", WAIT,
                    d -> "unauthorized".equals(console.liveMode()) ? console.liveMode() : null));
            assertTrue(authorizations.contains("null"), "the API was called without an Authorization header");
        }
    }

    @Test
    void theTokenFromTheFragmentTravelsOnlyInTheAuthorizationHeader() {
        try (BrowserHarness browser = BrowserHarness.start()) {
            ConsolePage console = new ConsolePage(browser, baseUrl());
            int before = authorizations.size();
            console.openWithToken(TOKEN);

            // the API's answer (503 here) is shown on the page, not swallowed
            browser.await("the Cluster page's error message", WAIT,
                    d -> d.findElements(By.cssSelector("#page-cluster .message.error")).isEmpty() ? null : Boolean.TRUE);
            assertTrue(browser.pageText().contains("no coordinator API behind this test server"), browser.pageText());
            // the stream answered 503 too, so the console polls
            browser.await("the polling fallback", WAIT, d -> "polling".equals(console.liveMode()) ? Boolean.TRUE : null);
            browser.await("a second poll", WAIT, d -> authorizations.size() >= before + 3 ? Boolean.TRUE : null);

            assertFalse(console.tokenPromptShown());
            assertFalse(browser.currentUrl().contains(TOKEN), "token left in the address bar: " + browser.currentUrl());
            assertTrue(browser.currentUrl().endsWith("#/cluster"), browser.currentUrl());
            assertTrue(authorizations.subList(before, authorizations.size()).stream().allMatch(("Bearer " + TOKEN)::equals),
                    "every API call after opening carried the token: " + authorizations);
            assertTrue(uris.stream().noneMatch(uri -> uri.contains(TOKEN)), "token in a request URL: " + uris);
            // Chromium logs the API's 503s as failed loads, and they are expected; anything else (a
            // 401 because a call lost the token, a script error, a missing file, a
            // Content-Security-Policy violation) is a fault of the console
            Predicate<String> apiAnswered503 = BrowserHarness.failedLoad(Pattern.quote(baseUrl()) + "/api/\\S+", 503);
            List<String> errors = browser.browserErrors();
            assertFalse(errors.isEmpty(), "Chromium logged none of the API's 503 answers; has its log format changed?");
            List<String> unexpected = errors.stream().filter(apiAnswered503.negate()).toList();
            assertTrue(unexpected.isEmpty(), "browser errors besides the API's 503s: " + unexpected);
        }
    }

    /** Runs {@code body} (which ends by calling {@code done(value)}) in the page and returns the value. */
    private static Object inPage(BrowserHarness browser, String body) {
        return ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + " (async () => { " + body + " })().catch(e => done('error: ' + e));");
    }

    @Test
    void theConsolesModulesComputeWhatThePagesShow() {
        try (BrowserHarness browser = BrowserHarness.start()) {
            new ConsolePage(browser, baseUrl()).openWithoutToken();
            // an SSE stream cut at arbitrary points, with a keep-alive comment, CRLF and a bad event
            assertEquals("[{\"type\":\"job\",\"jobId\":\"j1\"},{\"type\":\"metric\",\"step\":3}]", inPage(browser,
                    "const {SseParser} = await import('/console/js/live.js'); const got = [];"
                            + " const p = new SseParser(e => got.push(e));"
                            + " p.push(': keep-alive\\n\\nda'); p.push('ta: {\"type\":\"job\",\"jobId\":\"j1\"}\\r\\n\\r\\ndata: {\"type\":');"
                            + " p.push('\"metric\",\"step\":3}\\n\\ndata: not json\\n\\n'); p.push('data: {\"type\":\"job\"}');"
                            + " done(JSON.stringify(got));"));
            // overall progress counts tasks over all stages and says 100 only when every task is done
            assertEquals("0,50,99,100", inPage(browser,
                    "const {jobPercent} = await import('/console/js/pages/jobs.js');"
                            + " const job = (d1, d2) => ({stages: [{tasksDone: d1, tasksTotal: 100}, {tasksDone: d2, tasksTotal: 100}]});"
                            + " done([jobPercent({stages: []}), jobPercent(job(100, 0)), jobPercent(job(100, 99)), jobPercent(job(100, 100))].join());"));
            // two seeds of one run and setting: mean and sample sd; a single seed has no spread; the
            // same run in another setting (finetune at 10%) is its own group, never averaged in
            assertEquals("{\"label\":\"a · frozen @ 100% segmentation\",\"mean\":2,\"sd\":1.4142,\"seeds\":[1,2]}"
                    + "|{\"label\":\"a · finetune @ 10% segmentation\",\"mean\":9,\"sd\":null,\"seeds\":[1]}"
                    + "|{\"label\":\"b · frozen @ 100% segmentation\",\"mean\":5,\"sd\":null,\"seeds\":[1]}|rmse:true,mIoU:false"
                    + "|rmse:lower,sqRel:lower,log10:lower,testLoss:lower,delta1:higher,mIoU:higher,i2t_R@1:higher,pairs:null,seconds:null,steps:null",
                    inPage(browser, "const {summarizeSeeds, lowerIsBetter, betterDirection} = await import('/console/js/pages/results.js');"
                            + " const f = (run, seed, v, protocol = 'frozen', fraction = 1) => ({run, seed, protocol, fraction, task: 'segmentation', metrics: {mIoU: v}});"
                            + " const rows = [f('a', 1, 1), f('a', 2, 3), f('a', 1, 9, 'finetune', 0.1), f('b', 1, 5)];"
                            + " done(summarizeSeeds(rows, ['mIoU']).map(g => JSON.stringify({label: g.label, mean: g.mean.mIoU,"
                            + " sd: g.sd.mIoU === null ? null : Math.round(g.sd.mIoU * 1e4) / 1e4, seeds: g.seeds})).join('|')"
                            + " + '|rmse:' + lowerIsBetter('rmse') + ',mIoU:' + lowerIsBetter('mIoU')"
                            + " + '|' + ['rmse', 'sqRel', 'log10', 'testLoss', 'delta1', 'mIoU', 'i2t_R@1', 'pairs', 'seconds', 'steps']"
                            + ".map(m => m + ':' + betterDirection(m)).join());"));
        }
    }

    @Test
    void theCoordinatorsOwnRestShapesAreReadAsTheContractsShapes() {
        try (BrowserHarness browser = BrowserHarness.start()) {
            new ConsolePage(browser, baseUrl()).openWithoutToken();
            // wrapped lists, workerId / memoryBytes / lastSeenMillis / leases, jobId / submittedAtMillis
            assertEquals("w1|2048|1700000000000|1 task leased|j1|5|vit:w1", inPage(browser,
                    "const s = await import('/console/js/shapes.js');"
                            + " const ws = s.workers({workers: [{workerId: 'w1', memoryBytes: 2147483648, lastSeenMillis: 1700000000000, leases: 1,"
                            + " plugins: [{id: 'vit', version: '1', extensionPoint: 'ImageEncoder'}]}]});"
                            + " const js = s.jobs({jobs: [{jobId: 'j1', submittedAtMillis: 5, stages: []}]});"
                            + " const ps = s.pluginsOfWorkers(ws);"
                            + " done([ws[0].id, ws[0].memoryMb, ws[0].lastHeartbeat, ws[0].currentTask, js[0].id, js[0].submittedAt,"
                            + " ps[0].id + ':' + ps[0].workers.join()].join('|'));"));
            // 400 answers: the contract's errors[] with lines, or problems[] whose line is in the field
            assertEquals("[{\"field\":\"stages[0].kind\",\"line\":4,\"message\":\"m\"}]"
                    + "|[{\"field\":\"line 3, column 5\",\"line\":3,\"message\":\"bad YAML\"},{\"field\":\"name\",\"message\":\"missing\"}]"
                    + "|j9|j8", inPage(browser,
                    "const s = await import('/console/js/shapes.js');"
                            + " done([JSON.stringify(s.specErrors({errors: [{field: 'stages[0].kind', line: 4, message: 'm'}]})),"
                            + " JSON.stringify(s.specErrors({problems: [{field: 'line 3, column 5', message: 'bad YAML'}, {field: 'name', message: 'missing'}]})),"
                            + " s.submitted({id: 'j9'}).id, s.submitted({jobId: 'j8'}).id].join('|'));"));
        }
    }

    @Test
    void aTokenTypedIntoThePromptIsUsed() {
        try (BrowserHarness browser = BrowserHarness.start()) {
            ConsolePage console = new ConsolePage(browser, baseUrl());
            console.openWithoutToken();
            console.awaitTokenPrompt(WAIT);
            int before = authorizations.size();
            console.enterToken(TOKEN);
            browser.await("a call with the typed token", WAIT,
                    d -> authorizations.subList(before, authorizations.size()).contains("Bearer " + TOKEN) ? Boolean.TRUE : null);
            assertFalse(console.tokenPromptShown());
            assertEquals(TOKEN, browser.script("return sessionStorage.getItem('recap.console.token');"));
        }
    }
}
