package dev.recap.coordinator.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs) driven through Selenium, with a fresh profile per harness, waits that
 * say what they waited for, and full-page screenshots written under the build's {@code target/}
 * (see {@link #screenshotDir()}).
 *
 * <p>The binaries default to {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}; set
 * {@code -Drecap.chromium=...} / {@code -Drecap.chromedriver=...} to use others. Both are given
 * to Selenium explicitly, so Selenium Manager never tries to download a browser or driver.
 */
public final class BrowserHarness implements AutoCloseable {

    /** Window size of every screenshot: wide enough for the console's two-column chart grid. */
    public static final int WIDTH = 1400;
    public static final int HEIGHT = 1000;
    private static final int MAX_SCREENSHOT_HEIGHT = 6000;

    /** The system property that sends the screenshots elsewhere, e.g. {@code docs/console} to refresh the docs' pictures. */
    public static final String SCREENSHOTS_PROPERTY = "recap.console.screenshots";

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final Path screenshotDir;

    private BrowserHarness(ChromeDriver driver, ChromeDriverService service, Path profile, Path screenshotDir) {
        this.driver = driver;
        this.service = service;
        this.profile = profile;
        this.screenshotDir = screenshotDir;
    }

    /** Starts Chromium with screenshots going to {@link #screenshotDir()}. */
    public static BrowserHarness start() {
        return start(screenshotDir());
    }

    /** Starts Chromium with screenshots going to {@code screenshotDir}. */
    public static BrowserHarness start(Path screenshotDir) {
        Path chromium = Paths.get(System.getProperty("recap.chromium", "/usr/bin/chromium"));
        Path chromedriver = Paths.get(System.getProperty("recap.chromedriver", "/usr/bin/chromedriver"));
        for (Path binary : List.of(chromium, chromedriver)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: the console's browser tests need Debian's"
                        + " chromium and chromium-driver (apt-get install -y chromium chromium-driver, as .ci/run does),"
                        + " or -Drecap.chromium / -Drecap.chromedriver pointing at a matching pair");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("recap-chromium-profile");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a Chromium profile directory in java.io.tmpdir", e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + WIDTH + "," + HEIGHT, "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withSilent(true)
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            return new BrowserHarness(driver, service, profile, screenshotDir);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
    }

    /**
     * Where screenshots go: {@code target/console-screenshots/} of the module under test, so a test
     * run leaves the repository's files alone; or {@code -Drecap.console.screenshots=DIR}, a
     * relative {@code DIR} taken from the repository root (the folder holding {@code .ci/run}), so
     * {@code -Drecap.console.screenshots=docs/console} refreshes the documentation's screenshots.
     */
    public static Path screenshotDir() {
        String configured = System.getProperty(SCREENSHOTS_PROPERTY);
        if (configured == null || configured.isBlank()) {
            return Paths.get("target", "console-screenshots").toAbsolutePath();
        }
        Path dir = Paths.get(configured);
        return dir.isAbsolute() ? dir : repositoryRoot().resolve(dir);
    }

    private static Path repositoryRoot() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(".ci/run"))) {
                return dir;
            }
        }
        return Paths.get("").toAbsolutePath();
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public String currentUrl() {
        return driver.getCurrentUrl();
    }

    public Object script(String javascript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javascript, args);
    }

    /**
     * Waits until {@code condition} gives a non-null, non-false value and returns it; on timeout the
     * failure says what was awaited and what the page showed.
     */
    public <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        try {
            // Pages re-render on their refresh timers: an element found a moment ago may be replaced
            // before it is read, so a condition that touched a stale element is simply asked again.
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                    .ignoring(StaleElementReferenceException.class)
                    .until(condition::apply);
        } catch (TimeoutException e) {
            throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + " at " + driver.getCurrentUrl()
                    + "; page text: " + abbreviate(pageText(), 600) + "; browser log: " + abbreviate(String.join(" | ", browserLog()), 600), e);
        }
    }

    /** Waits for an element that is displayed. */
    public WebElement awaitVisible(By locator, Duration timeout) {
        return await("a visible " + locator, timeout, d -> d.findElements(locator).stream()
                .filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    public String pageText() {
        List<WebElement> bodies = driver.findElements(By.tagName("body"));
        return bodies.isEmpty() ? "" : bodies.get(0).getText();
    }

    /** The browser console's messages since the last call (errors of scripts, failed loads, ...). */
    public List<String> browserLog() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(LogEntry::toString).collect(Collectors.toList());
        } catch (RuntimeException e) {
            return List.of("(browser log unavailable: " + e.getMessage() + ")");
        }
    }

    /** Severe entries of the browser console since the last read: script errors, failed requests. */
    public List<String> browserErrors() {
        return browserLog().stream().filter(line -> line.contains("SEVERE")).collect(Collectors.toList());
    }

    /**
     * Matches the browser console's entry for a request to an address matching {@code urlRegex}
     * that was answered with {@code status}: Chromium logs every non-2xx answer as a failed load,
     * even when the page handles it.
     */
    public static Predicate<String> failedLoad(String urlRegex, int status) {
        Pattern entry = Pattern.compile(".*\\[SEVERE\\] " + urlRegex
                + " - Failed to load resource: the server responded with a status of " + status + "\\b.*");
        return line -> entry.matcher(line).matches();
    }

    /**
     * Saves a PNG of the whole page (not only the viewport) as {@code <dir>/<name>.png} and returns
     * its path. Uses the DevTools protocol: the viewport is stretched to the page's height, captured,
     * and restored.
     */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(screenshotDir);
            @SuppressWarnings("unchecked")
            Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                    .get("cssContentSize");
            long height = Math.min(MAX_SCREENSHOT_HEIGHT, Math.max(HEIGHT, Math.round(((Number) size.get("height")).doubleValue())));
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", WIDTH, "height", height, "deviceScaleFactor", 1, "mobile", false));
            try {
                // let charts see the new size (they resize on a ResizeObserver callback)
                script("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));");
                String png = (String) driver.executeCdpCommand("Page.captureScreenshot",
                        Map.of("format", "png", "captureBeyondViewport", true)).get("data");
                Path file = screenshotDir.resolve(name + ".png");
                Files.write(file, Base64.getDecoder().decode(png));
                return file;
            } finally {
                driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write screenshot " + name + " into " + screenshotDir, e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static String abbreviate(String text, int max) {
        String flat = text.replace('\n', ' ');
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp profile left behind is harmless
        }
    }
}
