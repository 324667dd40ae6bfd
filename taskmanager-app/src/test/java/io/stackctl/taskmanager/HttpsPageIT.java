package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The page over HTTPS as the stack serves it: the repository's own nginx configuration (nginx/nginx.conf and the
 * HTTPS servers of nginx/edge) in the stack's nginx image, in front of the API, and a person logging in through
 * headless Chromium. The session cookie must come back Secure and HttpOnly, and plain HTTP must send the browser to
 * HTTPS. Chromium trusts exactly this test's certificate (by its public key), nothing else.
 */
class HttpsPageIT {

    private static final String NGINX_IMAGE = System.getenv().getOrDefault("NGINX_IMAGE", "nginx:1.27");

    private static TestStack stack;
    private static GenericContainer<?> nginx;
    private static ChromeDriver browser;
    private static int httpPort;
    private static int httpsPort;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        stack = TestStack.start("page-https", 0, 0);
        httpPort = freePort();
        httpsPort = freePort();
        var certificate = TestCertificate.selfSigned("localhost", "127.0.0.1");
        // The certificate, then its key, in one file: as compose/tls/edge/edge.pem.
        nginx = nginx(certificate.certificatePem() + certificate.keyPem());
        nginx.start();
        awaitListening(httpsPort);

        byte[] spki = MessageDigest.getInstance("SHA-256")
                .digest(certificate.keys().getPublic().getEncoded());
        // Trusts this one key, as a user who imported the stack's CA trusts its certificates.
        browser = Chromium.start(
                "--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(spki));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (nginx != null) {
            nginx.stop();
        }
        TestStack.close(stack);
    }

    @Test
    void aPersonLogsInOverHttpsAndTheSessionCookieIsSecureAndHttpOnly() {
        browser.manage().deleteAllCookies();
        browser.get("http://localhost:" + httpPort + "/");
        assertThat(browser.getCurrentUrl())
                .as("plain HTTP sends the browser to HTTPS")
                .isEqualTo("https://localhost:" + httpsPort + "/");

        Chromium.await(browser, By.id("login-username")).sendKeys("tester");
        browser.findElement(By.id("login-password")).sendKeys(Api.PASSWORD);
        Chromium.follow(browser, browser.findElement(By.cssSelector("form[action='/ui/login'] button[type=submit]")));

        var session = browser.manage().getCookieNamed("tm_session");
        assertThat(session).as("the login set a session cookie").isNotNull();
        assertThat(session.isSecure())
                .as("Secure: the browser never sends it over plain HTTP")
                .isTrue();
        assertThat(session.isHttpOnly()).as("HttpOnly: no script reads it").isTrue();
        assertThat(browser.getCurrentUrl()).startsWith("https://localhost:" + httpsPort + "/");
        assertThat(browser.findElement(By.tagName("body")).getText())
                .as("the page as the logged-in user sees it")
                .contains("Signed in as tester");
    }

    /** The stack's nginx image with the repository's configuration, on the host's network in front of the API. */
    private static GenericContainer<?> nginx(String edgePem) throws Exception {
        Path repo = Containers.repoRoot();
        String server = Files.readString(repo.resolve("nginx/edge/https/server.conf"))
                .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
                .replace("listen 443 ssl http2;", "listen 127.0.0.1:" + httpsPort + " ssl http2;");
        assertThat(server).contains("127.0.0.1:" + httpsPort + " ssl");
        return new GenericContainer<>(DockerImageName.parse(NGINX_IMAGE))
                .withNetworkMode("host")
                .withCopyToContainer(
                        Transferable.of(Files.readString(repo.resolve("nginx/nginx.conf"))), "/etc/nginx/nginx.conf")
                .withCopyToContainer(
                        Transferable.of(Files.readString(repo.resolve("nginx/edge/proxy.conf"))),
                        "/etc/nginx/stack/proxy.conf")
                .withCopyToContainer(Transferable.of(server), "/etc/nginx/edge/server.conf")
                .withCopyToContainer(
                        Transferable.of("map $host $edge_https_port { default " + httpsPort + "; }\n"),
                        "/etc/nginx/edge/port.conf")
                .withCopyToContainer(
                        Transferable.of("server 127.0.0.1:" + stack.app.port() + ";\n"),
                        "/etc/nginx/upstream/upstream.conf")
                .withCopyToContainer(Transferable.of(""), "/etc/nginx/upstream/maintenance/none.conf")
                .withCopyToContainer(
                        Transferable.of(edgePem.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0600),
                        "/etc/nginx/tls/edge.pem")
                .withCommand("nginx", "-g", "daemon off;");
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nginx did not listen on " + port + " within 30 s: " + nginx.getLogs());
    }

    private static int freePort() throws java.io.IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
