package dev.recap.coordinator.console;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console as a test sees it: navigation, the token prompt, and what each page shows, by the
 * selectors the console's pages promise ({@code tr[data-worker-id]}, {@code #job-progress}, ...).
 * Tests read as the user's steps: {@code console.openWithToken(t); console.awaitWorkers(2, ...)}.
 */
public final class ConsolePage {

    private static final Pattern JOB_ROUTE = Pattern.compile("#/jobs/([^/?#]+)$");

    private final BrowserHarness browser;
    private final String baseUrl;

    /** @param baseUrl the coordinator's HTTP origin, e.g. {@code http://127.0.0.1:8080} */
    public ConsolePage(BrowserHarness browser, String baseUrl) {
        this.browser = browser;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** Opens the console the way the coordinator's start-up line tells a user to: token in the fragment. */
    public void openWithToken(String token) {
        browser.open(ConsoleRoutes.consoleUrl(baseUrl, token));
        awaitPageShown("cluster");
    }

    /** Opens the console without a token (a fresh tab has none). */
    public void openWithoutToken() {
        browser.open(baseUrl + ConsoleRoutes.MOUNT + "/");
    }

    /** Goes to a page by its route: "cluster", "jobs", "jobs/ID", "results/ID", "plugins", "submit". */
    public void go(String route) {
        browser.script("location.hash = arguments[0];", "#/" + route);
        awaitPageShown(route.split("/")[0]);
    }

    private void awaitPageShown(String page) {
        browser.awaitVisible(By.id("page-" + page), Duration.ofSeconds(10));
    }

    public boolean tokenPromptShown() {
        return Boolean.TRUE.equals(browser.script("return document.getElementById('token-dialog').open;"));
    }

    public void awaitTokenPrompt(Duration timeout) {
        browser.await("the token prompt", timeout, d -> tokenPromptShown() ? Boolean.TRUE : null);
    }

    public void enterToken(String token) {
        WebElement input = browser.awaitVisible(By.id("token-input"), Duration.ofSeconds(5));
        input.clear();
        input.sendKeys(token);
        browser.driver().findElement(By.id("token-submit")).click();
    }

    /** How live updates arrive: "stream", "polling", "unauthorized", ... */
    public String liveMode() {
        return browser.driver().findElement(By.id("live-status")).getAttribute("data-mode");
    }

    public List<String> workerIds() {
        return browser.driver().findElements(By.cssSelector("#workers tr[data-worker-id]")).stream()
                .map(row -> row.getAttribute("data-worker-id")).collect(Collectors.toList());
    }

    /** Waits until the Cluster page lists exactly {@code count} workers and returns their ids. */
    public List<String> awaitWorkers(int count, Duration timeout) {
        go("cluster");
        return browser.await(count + " workers on the Cluster page", timeout, d -> {
            List<String> ids = workerIds();
            return ids.size() == count ? ids : null;
        });
    }

    /**
     * Types a job spec into the Submit page, presses Start, and returns the new job's id once the
     * console has moved to its Jobs page. Fails with the errors the console shows if the spec is rejected.
     */
    public String submit(String yaml, Duration timeout) {
        go("submit");
        setSpec(yaml);
        browser.driver().findElement(By.id("submit-job")).click();
        return browser.await("the job page of the submitted spec", timeout, d -> {
            Matcher m = JOB_ROUTE.matcher(d.getCurrentUrl());
            if (m.find()) {
                return m.group(1);
            }
            List<String> errors = specErrors();
            if (!errors.isEmpty()) {
                throw new AssertionError("the coordinator rejected the spec: " + errors);
            }
            return null;
        });
    }

    /** Submits a spec that should be rejected and returns the errors shown, as "line N · field: message". */
    public List<String> submitExpectingErrors(String yaml, Duration timeout) {
        go("submit");
        setSpec(yaml);
        browser.driver().findElement(By.id("submit-job")).click();
        return browser.await("validation errors on the Submit page", timeout, d -> {
            List<String> errors = specErrors();
            return errors.isEmpty() ? null : errors;
        });
    }

    private void setSpec(String yaml) {
        // set the value directly: sendKeys would type slowly and the editor turns Tab into spaces
        browser.script("const e = document.getElementById('spec-editor'); e.value = arguments[0];"
                + " e.dispatchEvent(new Event('input'));", yaml);
    }

    public List<String> specErrors() {
        return browser.driver().findElements(By.cssSelector("#spec-errors li.spec-error")).stream()
                .map(WebElement::getText).collect(Collectors.toList());
    }

    /** Line numbers the editor's gutter marks as erroneous. */
    public List<Integer> errorLines() {
        return browser.driver().findElements(By.cssSelector(".gutter .error-line")).stream()
                .map(e -> Integer.parseInt(e.getAttribute("data-line"))).collect(Collectors.toList());
    }

    /** The job's overall progress as the Jobs page shows it, 0-100. */
    public int jobPercent() {
        return Integer.parseInt(browser.driver().findElement(By.id("job-progress")).getAttribute("data-percent"));
    }

    /** Opens the job's page and waits until its overall progress reaches {@code percent}. */
    public void awaitJobPercent(String jobId, int percent, Duration timeout) {
        go("jobs/" + jobId);
        browser.await("job " + jobId + " at " + percent + "%", timeout, d -> jobPercent() >= percent ? Boolean.TRUE : null);
    }

    public String jobState() {
        return browser.driver().findElement(By.cssSelector("#job-state .badge")).getText();
    }

    /** Stage name to "done / total" as the stage table shows it. */
    public List<String> stageRows() {
        return browser.driver().findElements(By.cssSelector("#stages tbody tr[data-stage]")).stream()
                .map(WebElement::getText).collect(Collectors.toList());
    }

    /** Number of points drawn in the job page's chart of the series ending in {@code suffix} (loss, lr, ...). */
    public long chartPoints(String suffix) {
        Object n = browser.script("const c = Chart.getChart(document.getElementById('chart-' + arguments[0]));"
                + " return c ? c.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1;", suffix);
        return ((Number) n).longValue();
    }

    /** The y values of every point of the chart {@code chart-<suffix>}, as the Chart.js instance holds them. */
    public List<Double> chartValues(String suffix) {
        Object values = browser.script("const c = Chart.getChart(document.getElementById('chart-' + arguments[0]));"
                + " return c ? c.data.datasets.flatMap((d) => d.data.map((p) => typeof p === 'number' ? p : p.y)) : [];", suffix);
        return ((List<?>) values).stream().map(v -> ((Number) v).doubleValue()).collect(Collectors.toList());
    }

    /** The metric cells ({@code td[data-metric]}) of the results table's rows of {@code run}, by metric, as shown. */
    public Map<String, String> resultMetrics(String run) {
        Map<String, String> out = new LinkedHashMap<>();
        // read in one script, so a redraw between two reads cannot leave a stale row
        Object cells = browser.script("return [...document.querySelectorAll('#results-table tbody tr[data-run]')]"
                + ".filter((r) => r.dataset.run === arguments[0])"
                + ".flatMap((r) => [...r.querySelectorAll('td[data-metric]')].map((c) => [c.dataset.metric, c.innerText.trim()]));", run);
        for (Object cell : (List<?>) cells) {
            List<?> pair = (List<?>) cell;
            String text = String.valueOf(pair.get(1));
            if (!text.isEmpty() && !text.equals("—") && !text.equals("-") && !text.equals("–")) {
                out.putIfAbsent(String.valueOf(pair.get(0)), text);
            }
        }
        return out;
    }

    /** The Plugins page's conformance verdict per plugin id ({@code tr[data-conformance]}). */
    public Map<String, String> pluginConformance() {
        Map<String, String> out = new LinkedHashMap<>();
        // read in one script: the page redraws whenever a worker's conformance report changes
        Object rows = browser.script("return [...document.querySelectorAll('#plugin-groups tr[data-plugin-id]')]"
                + ".map((r) => [r.dataset.pluginId, r.dataset.conformance]);");
        for (Object row : (List<?>) rows) {
            List<?> pair = (List<?>) row;
            // an extension advertised under two points keeps its worst verdict
            out.merge(String.valueOf(pair.get(0)), String.valueOf(pair.get(1)), (a, b) -> a.equals("fail") ? a : b);
        }
        return out;
    }

    public List<String> eventMessages() {
        return browser.driver().findElements(By.cssSelector("#events tbody tr[class^='level-'] td:last-child")).stream()
                .map(WebElement::getText).collect(Collectors.toList());
    }

    /** Opens the job's Results page and waits until its comparison table has at least one run. */
    public List<String> awaitResultRuns(String jobId, Duration timeout) {
        go("results/" + jobId);
        return browser.await("result rows of job " + jobId, timeout, d -> {
            List<String> runs = d.findElements(By.cssSelector("#results-table tbody tr[data-run]")).stream()
                    .map(row -> row.getAttribute("data-run")).collect(Collectors.toList());
            return runs.isEmpty() ? null : runs;
        });
    }

    /** Column headers of the results table (metric names carry a trailing arrow). */
    public List<String> resultColumns() {
        return browser.driver().findElements(By.cssSelector("#results-table thead th")).stream()
                .map(WebElement::getText).collect(Collectors.toList());
    }

    /** Waits for a prediction image that the browser has actually decoded; returns its natural width. */
    public long awaitPredictionImage(Duration timeout) {
        return browser.await("a decoded prediction image", timeout, d -> {
            Object width = browser.script("const i = [...document.querySelectorAll('img.prediction[data-loaded]')]"
                    + ".find(i => i.complete && i.naturalWidth > 0); return i ? i.naturalWidth : null;");
            return width == null ? null : ((Number) width).longValue();
        });
    }

    /** The Plugins page's rows (plugin, version, workers, conformance) once it has drawn; may be empty. */
    public List<String> pluginRows() {
        go("plugins");
        browser.await("the Plugins page drawn", Duration.ofSeconds(10), d -> d.findElements(
                By.cssSelector("#plugin-groups tr[data-plugin-id], #plugin-groups .message")).isEmpty() ? null : Boolean.TRUE);
        // read in one script: the page redraws whenever a worker's conformance report changes
        Object rows = browser.script("return [...document.querySelectorAll('#plugin-groups tr[data-plugin-id]')].map((r) => r.innerText);");
        return ((List<?>) rows).stream().map(String::valueOf).collect(Collectors.toList());
    }
}
