package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page as a person meets it, in a real browser (Debian's headless Chromium) against the API on a real PostgreSQL
 * and Redis. Screenshots land in target/screenshots and are checked: the size of the viewport, not blank.
 */
class HomePageIT {

    private static final Path SCREENSHOTS = Path.of("target/screenshots");
    private static final int PHONE_WIDTH = 390;

    private static TestStack stack;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        stack = TestStack.start("page-1", 0, 0);
        browser = Chromium.start("--force-device-scale-factor=1");
        Files.createDirectories(SCREENSHOTS);
        logIn("tester", Api.PASSWORD);
    }

    /** Through the page's own form, as a person would; the session cookie then serves every test. */
    private static void logIn(String username, String password) {
        browser.manage().deleteAllCookies();
        open("/", 1000);
        Chromium.await(browser, By.id("login-username")).sendKeys(username);
        browser.findElement(By.id("login-password")).sendKeys(password);
        follow(browser.findElement(By.cssSelector("form[action='/ui/login'] button[type=submit]")));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        TestStack.close(stack);
    }

    private static void open(String path, int width) {
        browser.manage().window().setSize(new Dimension(width, 900));
        browser.get("http://localhost:" + stack.app.port() + path);
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static String unique(String what) {
        return what + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static WebElement taskItem(String title) {
        return browser.findElements(By.cssSelector("li.task")).stream()
                .filter(li -> li.findElement(By.tagName("h3")).getText().equals(title))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no task titled '" + title + "' on the page"));
    }

    /** Saves a screenshot and checks it: as wide as the window asked for, and not one flat colour. */
    private static void screenshot(String name, int width) throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Path saved = SCREENSHOTS.resolve(name + ".png");
        Files.copy(shot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
        var image = ImageIO.read(saved.toFile());
        assertThat(image.getWidth()).as(name + " width").isEqualTo(width);
        var colours = new HashSet<Integer>();
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours).as(name + " has content, not a blank page").hasSizeGreaterThan(8);
    }

    private static void follow(WebElement element) {
        Chromium.follow(browser, element);
    }

    private static void addTask(String title, String description) {
        browser.findElement(By.id("title")).sendKeys(title);
        browser.findElement(By.id("description")).sendKeys(description);
        follow(browser.findElement(By.cssSelector("form.card button[type=submit]")));
    }

    @Test
    void aVisitorLogsInOrRegistersAndSeesOnlyTheirOwnTasks() throws Exception {
        String testersTask = unique("Tester's own");
        stack.api.create(testersTask);
        browser.manage().deleteAllCookies();
        open("/", PHONE_WIDTH);
        assertThat(browser.findElements(By.cssSelector("li.task")))
                .as("no list without a login")
                .isEmpty();
        assertThat(js("return [...document.querySelectorAll('input:not([type=hidden])')]"
                        + ".filter(e => e.labels.length === 0).map(e => e.name)"))
                .asList()
                .isEmpty();
        screenshot("login-phone", PHONE_WIDTH);

        browser.findElement(By.id("login-username")).sendKeys("tester");
        browser.findElement(By.id("login-password")).sendKeys("not the password");
        follow(browser.findElement(By.cssSelector("form[action='/ui/login'] button[type=submit]")));
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
                .isEqualTo("Not logged in: Invalid credentials: the username or the password is wrong.");
        assertThat(browser.findElement(By.id("login-username")).getAttribute("value"))
                .isEqualTo("tester");

        String newcomer = "page" + UUID.randomUUID().toString().substring(0, 6);
        browser.findElement(By.id("register-username")).sendKeys(newcomer);
        browser.findElement(By.id("register-email")).sendKeys(newcomer + "@example.org");
        browser.findElement(By.id("register-password")).sendKeys(Api.PASSWORD);
        follow(browser.findElement(By.cssSelector("form[action='/ui/register'] button[type=submit]")));

        assertThat(browser.findElement(By.cssSelector("form.account")).getText())
                .contains("Signed in as " + newcomer);
        assertThat(browser.findElement(By.cssSelector("p.empty")).getText())
                .isEqualTo("No tasks yet: add the first one above.");
        assertThat(browser.getPageSource()).doesNotContain(testersTask);

        follow(browser.findElement(By.cssSelector("form.account button")));
        assertThat(browser.findElements(By.id("login-username")))
                .as("logged out")
                .hasSize(1);
        logIn("tester", Api.PASSWORD);
        assertThat(taskItem(testersTask).isDisplayed()).isTrue();
    }

    @Test
    void onAPhoneEveryFieldIsLabelledAndNothingRunsOffTheScreen() throws Exception {
        stack.api.create(unique("x".repeat(180)));
        open("/", PHONE_WIDTH);

        assertThat(browser.findElement(By.cssSelector("meta[name=viewport]")).getAttribute("content"))
                .contains("width=device-width");
        Object unlabelled = js("return [...document.querySelectorAll('input:not([type=hidden]),textarea,select')]"
                + ".filter(e => e.labels.length === 0).map(e => e.name)");
        assertThat((List<?>) unlabelled).as("fields without a label").isEmpty();
        Object overflow = js("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(((Number) overflow).intValue())
                .as("horizontal overflow in px")
                .isLessThanOrEqualTo(0);
        screenshot("phone-list", PHONE_WIDTH);
    }

    @Test
    void anAddedTaskShowsWithItsDescription() throws Exception {
        String title = unique("Write the runbook");
        open("/", 1024);

        addTask(title, "for the failover drill\nsecond line");

        var item = taskItem(title);
        assertThat(item.findElement(By.cssSelector(".description")).getText())
                .isEqualTo("for the failover drill\nsecond line");
        assertThat(item.findElement(By.cssSelector(".badge")).getText()).isEqualTo("Pending");
        screenshot("desktop-list", 1024);
    }

    @Test
    void aRefusedFormKeepsWhatWasTypedAndSaysInWordsWhatToFix() throws Exception {
        open("/", 1024);
        // A browser keeps to maxlength; a script or an old browser may not, and the server must explain.
        js("document.getElementById('title').removeAttribute('maxlength')");
        String tooLong = "t".repeat(201);

        addTask(tooLong, "kept description");

        String alert = browser.findElement(By.cssSelector("[role=alert]")).getText();
        assertThat(alert)
                .startsWith("Not added: Title")
                .contains("200")
                .doesNotContain("{")
                .doesNotContain("field=");
        assertThat(browser.findElement(By.id("title")).getAttribute("value")).isEqualTo(tooLong);
        assertThat(browser.findElement(By.id("description")).getAttribute("value"))
                .isEqualTo("kept description");
        screenshot("desktop-refused", 1024);
    }

    @Test
    void eachButtonIsNamedForItsTaskAndMovesItThroughItsStates() {
        String alpha = unique("Alpha");
        String beta = unique("Beta");
        stack.api.create(alpha);
        stack.api.create(beta);
        open("/", 1024);

        follow(browser.findElement(By.cssSelector("button[aria-label='Start task: " + beta + "']")));
        follow(browser.findElement(By.cssSelector("button[aria-label='Complete task: " + alpha + "']")));

        assertThat(taskItem(beta).findElement(By.cssSelector(".badge")).getText())
                .isEqualTo("In progress");
        assertThat(taskItem(alpha).findElement(By.cssSelector(".badge")).getText())
                .isEqualTo("Completed");
        follow(browser.findElement(By.cssSelector("button[aria-label='Reopen task: " + alpha + "']")));
        assertThat(taskItem(alpha).findElement(By.cssSelector(".badge")).getText())
                .isEqualTo("Pending");
    }

    @Test
    void editChangesTitleDescriptionAndStatus() {
        String before = unique("Draft");
        stack.api.create(before);
        open("/", 1024);
        follow(browser.findElement(By.cssSelector("a[aria-label='Edit task: " + before + "']")));

        String after = unique("Final");
        var title = browser.findElement(By.id("title"));
        title.clear();
        title.sendKeys(after);
        browser.findElement(By.id("description")).sendKeys("edited in the browser");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("status")))
                .selectByVisibleText("In progress");
        follow(browser.findElement(By.cssSelector("form.card button[type=submit]")));

        var item = taskItem(after);
        assertThat(item.findElement(By.cssSelector(".description")).getText()).isEqualTo("edited in the browser");
        assertThat(item.findElement(By.cssSelector(".badge")).getText()).isEqualTo("In progress");
    }

    @Test
    void theListIsPagedAndCounted() {
        for (int i = 0; i < 25; i++) {
            stack.api.create(unique("paged " + i));
        }
        open("/", 1024);

        String showing = browser.findElement(By.xpath("//p[starts-with(., 'Showing 1–20 of ')]"))
                .getText();
        long total = Long.parseLong(
                showing.replaceAll("\\D+$", "").replaceAll(".* of ", "").split(" ")[0]);
        assertThat(total).isGreaterThanOrEqualTo(25);
        assertThat(browser.findElements(By.cssSelector("li.task"))).hasSize(20);
        follow(browser.findElement(By.cssSelector("a[rel=next]")));
        assertThat(browser.findElement(By.cssSelector("nav.pages")).getText()).contains("Page 2 of");
        assertThat(browser.getCurrentUrl()).endsWith("/?page=2");
    }

    @Test
    void theListSaysWhetherItCameFromTheCacheOrTheDatabase() {
        stack.api.create(unique("cache check"));
        open("/", 1024);
        assertThat(browser.findElement(By.cssSelector(".meta")).getText()).contains("read from the database");

        browser.navigate().refresh();

        assertThat(browser.findElement(By.cssSelector(".meta")).getText()).contains("read from the cache");
    }

    @Test
    void underItsContentSecurityPolicyThePageKeepsItsStyleAndRunsNoInjectedScript() {
        open("/", 1024);
        assertThat(js("return getComputedStyle(document.body).backgroundColor"))
                .as("the stylesheet the policy allows by its hash is applied")
                .isEqualTo("rgb(246, 246, 248)");
        String title = "<img src=x onerror=\"document.title='pwned'\">" + unique("");
        addTask(title, "<script>document.title='pwned'</script>");
        assertThat(browser.getTitle()).isNotEqualTo("pwned");
        assertThat(taskItem(title).isDisplayed()).isTrue();
    }

    @Test
    void errorsOnThePageAreHtmlForAPersonNotJson() {
        open("/ui/tasks", 1024);
        assertThat(browser.getTitle()).startsWith("405");
        assertThat(browser.findElement(By.tagName("body")).getText()).doesNotContain("{\"error\"");

        open("/ui/tasks/999999999/edit", 1024);
        assertThat(browser.getTitle()).startsWith("404");
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
                .contains("There is no task 999999999");
    }
}
