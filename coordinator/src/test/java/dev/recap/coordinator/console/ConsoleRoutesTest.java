package dev.recap.coordinator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's routes on a real Vert.x HTTP server, read with a real HTTP client. */
class ConsoleRoutesTest {

    private static Vertx vertx;
    private static HttpServer server;
    private static final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = ConsoleRoutes.mount(Router.router(vertx));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static HttpResponse<String> send(String method, String path, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void consoleIndexIsServedWithSecurityHeaders() throws Exception {
        HttpResponse<String> index = send("GET", "/console/", null);
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(index.body().contains("js/app.js"), "the index loads the console's module");
        assertEquals(ConsoleRoutes.CONTENT_SECURITY_POLICY, index.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertEquals("nosniff", index.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("DENY", index.headers().firstValue("X-Frame-Options").orElseThrow());
        assertEquals("no-referrer", index.headers().firstValue("Referrer-Policy").orElseThrow());
        assertTrue(ConsoleRoutes.CONTENT_SECURITY_POLICY.contains("script-src 'self'"));
        assertTrue(!ConsoleRoutes.CONTENT_SECURITY_POLICY.contains("unsafe"), "no unsafe-inline / unsafe-eval");
    }

    @Test
    void consoleUrlCarriesTheTokenInTheFragmentOnly() {
        assertEquals("http://127.0.0.1:8080/console/#token=a%2Bb%2Fc%3D",
                ConsoleRoutes.consoleUrl("http://127.0.0.1:8080/", "a+b/c="));
    }

    @Test
    void bareMountRedirectsToTheIndexSoRelativeUrlsResolve() throws Exception {
        HttpResponse<String> bare = send("GET", "/console", null);
        assertEquals(301, bare.statusCode());
        assertEquals("/console/", bare.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void scriptsAndTheVendoredChartLibraryAreServedAsJavaScript() throws Exception {
        for (String path : new String[] {"/console/js/app.js", "/console/js/pages/jobs.js", "/console/vendor/chart.umd.min.js"}) {
            HttpResponse<String> script = send("GET", path, null);
            assertEquals(200, script.statusCode(), path);
            assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"), path);
        }
        assertTrue(send("GET", "/console/vendor/chart.umd.min.js", null).body().startsWith("/*!\n * Chart.js v4.5.1"));
    }

    @Test
    void noCorsGrantEvenForACrossOriginRequest() throws Exception {
        HttpResponse<String> crossOrigin = send("GET", "/console/", "http://evil.example");
        assertEquals(200, crossOrigin.statusCode());
        assertNull(crossOrigin.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<String> preflight = send("OPTIONS", "/console/js/app.js", "http://evil.example");
        assertNull(preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertNotEquals(200, preflight.statusCode());
    }

    @Test
    void onlyReadsAreAllowedAndNothingOutsideTheConsoleIsExposed() throws Exception {
        assertEquals(405, send("POST", "/console/index.html", null).statusCode());
        assertEquals(404, send("GET", "/console/js/", null).statusCode(), "no directory listing");
        assertEquals(404, send("GET", "/console/../logback.xml", null).statusCode());
        assertEquals(404, send("GET", "/console/nothing-here.js", null).statusCode());
    }
}
