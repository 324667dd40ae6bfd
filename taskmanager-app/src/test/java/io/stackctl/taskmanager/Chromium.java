package io.stackctl.taskmanager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium through its chromedriver, for the page's browser tests. */
final class Chromium {

    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

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
}
