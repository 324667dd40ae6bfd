package io.stackctl.taskmanager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Debian's headless Chromium through its chromedriver, for the page's browser tests. */
final class Chromium {

    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /**
     * How long a page may take to be there. Generous: a browser starved of CPU (CI runs these tests beside the
     * end-to-end scenario, at a quarter of its CPU weight) took seconds to draw a page it draws in milliseconds alone.
     */
    static final Duration PAGE_WAIT = Duration.ofSeconds(30);

    private Chromium() {}

    /** Skips the calling test class when this host has no Chromium (apt-get install chromium chromium-driver). */
    static void assumeInstalled() {
        Assumptions.assumeTrue(
                Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
                "no chromium and chromedriver (apt-get install chromium chromium-driver): browser tests skipped");
    }

    /** A new browser with its own profile, plus {@code arguments}. */
    static ChromeDriver start(String... arguments) throws java.io.IOException {
        // Headless, as root, and quiet: without the background-networking flags Chromium reaches out at start.
        List<String> all = new ArrayList<>(List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile")));
        all.addAll(List.of(arguments));
        var options = new ChromeOptions().setBinary(BINARY.toFile()).addArguments(all);
        var browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(DRIVER.toFile())
                        .build(),
                options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }

    /**
     * The element {@code by}, once the page holds it. A click returns before the page it loads is parsed, so the
     * first element asked of a new page is asked through this; if it never comes, the failure says what the page was.
     */
    static WebElement await(WebDriver browser, By by) {
        try {
            return new WebDriverWait(browser, PAGE_WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
        } catch (TimeoutException e) {
            String text = browser.findElement(By.tagName("html")).getText();
            throw new AssertionError(
                    "no " + by + " on " + browser.getCurrentUrl() + " within " + PAGE_WAIT.toSeconds()
                            + " s; the page says: " + text.substring(0, Math.min(text.length(), 500)),
                    e);
        }
    }

    /** Clicks something that loads a new page, and waits until the old one is gone and the new one is loaded. */
    static void follow(WebDriver browser, WebElement element) {
        var old = browser.findElement(By.tagName("html"));
        element.click();
        var wait = new WebDriverWait(browser, PAGE_WAIT);
        wait.until(driver -> isGone(old));
        wait.until(
                driver -> "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState")));
    }

    /**
     * The old page's root is gone. Chromium says so with a stale-element error, or, when asked while the page is
     * being replaced, with an inspector error that the node no longer belongs to the document (it did once in CI).
     */
    private static boolean isGone(WebElement old) {
        try {
            old.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        } catch (WebDriverException e) {
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                return true;
            }
            throw e;
        }
    }
}
