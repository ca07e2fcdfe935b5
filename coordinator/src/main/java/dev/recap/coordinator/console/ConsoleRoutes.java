package dev.recap.coordinator.console;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Mounts the web console (classpath folder {@code console/}) on a router under {@value #MOUNT}.
 *
 * <p>The pages are a static shell: they carry no data and no secret. Every datum comes from the
 * {@code /api} routes, which the console calls with {@code Authorization: Bearer <token>}; the
 * token reaches the page in the URL fragment ({@code /console/#token=...}), which browsers never
 * send to a server, so it cannot end up in an access log.
 *
 * <p>No CORS handler is installed, on purpose: the console is same-origin with the API, and a
 * cross-origin page must not be able to read it. The Content-Security-Policy allows scripts,
 * styles and connections to this origin only, and images from this origin or from {@code blob:}
 * URLs (artifact images are fetched with the token header and shown as blobs).
 */
public final class ConsoleRoutes {

    /** Path prefix the console is served under. */
    public static final String MOUNT = "/console";

    /** Classpath folder that holds the console's files. */
    static final String WEB_ROOT = "console";

    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob:",
            "connect-src 'self'",
            "font-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");

    private ConsoleRoutes() {
    }

    /**
     * Adds the console's routes to {@code router}: {@code GET /console} redirects to
     * {@code /console/}, and {@code GET|HEAD /console/*} serves the static files with
     * {@link #securityHeaders()}. Other methods on those paths get 405 from the router.
     *
     * @return the same router, for chaining
     */
    public static Router mount(Router router) {
        // Vert.x matches "/console" for "/console/" too: redirect only the bare path
        router.route(HttpMethod.GET, MOUNT).handler(ctx -> {
            if (!ctx.request().path().equals(MOUNT)) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(301).putHeader(HttpHeaders.LOCATION, MOUNT + "/").end();
        });
        StaticHandler files = StaticHandler.create(WEB_ROOT)
                .setDirectoryListing(false)
                .setIncludeHidden(false)
                // the console changes with every release: revalidate rather than serve stale JS
                .setCachingEnabled(false)
                .setIndexPage("index.html");
        router.route(MOUNT + "/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(securityHeaders()).handler(files);
        return router;
    }

    /**
     * The address to print once at start-up so a user can open the console already signed in:
     * {@code <origin>/console/#token=<token>}. The token sits in the fragment, which the browser
     * keeps to itself; the console moves it into sessionStorage and out of the address bar. Print
     * it to the terminal, not to a log file.
     *
     * @param origin the coordinator's HTTP origin, e.g. {@code http://127.0.0.1:8080}
     */
    public static String consoleUrl(String origin, String token) {
        String base = origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
        return base + MOUNT + "/#token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    /**
     * A handler that sets the console's security headers on the response and passes on. The API
     * routes may use it too, so that a JSON answer cannot be framed or MIME-sniffed either.
     */
    public static Handler<RoutingContext> securityHeaders() {
        return ctx -> {
            MultiMap headers = ctx.response().headers();
            headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("X-Frame-Options", "DENY");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("Cross-Origin-Opener-Policy", "same-origin");
            headers.set("Cross-Origin-Resource-Policy", "same-origin");
            headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
            headers.set(HttpHeaders.CACHE_CONTROL, "no-cache");
            ctx.next();
        };
    }
}
