package dev.recap.coordinator.console;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);

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
        router.route(MOUNT + "/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(securityHeaders()).handler(classpathFiles());
        return router;
    }

    /** File types the console ships; anything else (a directory, say) is not served. */
    static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "json", "application/json",
            "md", "text/markdown; charset=utf-8");

    /**
     * Serves {@value #WEB_ROOT}/ from the class path only. Vert.x's StaticHandler would look in a
     * {@code console/} folder of the working directory first, so whatever sits there would be
     * served as the console. The files are few and small: read once, kept in memory.
     */
    static Handler<RoutingContext> classpathFiles() {
        ClassLoader loader = ConsoleRoutes.class.getClassLoader();
        // only files found are kept: a miss must not let random paths grow the map
        Map<String, byte[]> cache = new ConcurrentHashMap<>();
        return ctx -> {
            String path = ctx.normalizedPath().substring(MOUNT.length());
            if (path.isEmpty() || path.endsWith("/")) {
                path += "index.html";
            }
            String relative = path.substring(1);
            int dot = relative.lastIndexOf('.');
            String type = dot < 0 ? null : CONTENT_TYPES.get(relative.substring(dot + 1));
            boolean plain = Arrays.stream(relative.split("/", -1))
                    .allMatch(seg -> !seg.isEmpty() && !seg.startsWith(".") && !seg.contains("\\"));
            byte[] bytes = null;
            if (type != null && plain) {
                bytes = cache.get(relative);
                if (bytes == null) {
                    bytes = read(loader, WEB_ROOT + "/" + relative).orElse(null);
                    if (bytes != null) {
                        cache.put(relative, bytes);
                    }
                }
            }
            if (bytes == null) {
                ctx.response().setStatusCode(404).end();
                return;
            }
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type);
            if (ctx.request().method() == HttpMethod.HEAD) {
                ctx.response().putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(bytes.length)).end();
            } else {
                ctx.response().end(Buffer.buffer(bytes));
            }
        };
    }

    private static Optional<byte[]> read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            // the resource is in the jar but unreadable: a broken installation, answered as not found
            LOG.warn("console resource {} could not be read, answered 404: {}", resource, e.toString());
            return Optional.empty();
        }
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
