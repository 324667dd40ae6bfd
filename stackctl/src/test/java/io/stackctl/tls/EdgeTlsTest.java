package io.stackctl.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.stackctl.core.StackctlException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack's CA, nginx's certificate, and what stackctl's clients trust, over real TLS handshakes. */
class EdgeTlsTest {

    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static final List<String> NAMES = List.of("tasks.example.com", "localhost", "127.0.0.1", "::1");

    @TempDir
    Path dir;

    EdgeTls tls(List<String> names) {
        return new EdgeTls(dir.resolve("tls"), "demo", new EdgeTlsSettings(names, Optional.empty(), Optional.empty()));
    }

    @Test
    void upMakesAPrivateCaAndACertificateForEveryNameThatOnlyItsOwnerReads() throws Exception {
        var tls = tls(NAMES);

        assertThat(tls.prepare(NOW))
                .hasValueSatisfying(said -> assertThat(said).contains("made the stack's private CA"));

        var certificate = tls.current().orElseThrow();
        assertThat(certificate.names())
                .containsExactlyInAnyOrderElementsOf(
                        List.of("tasks.example.com", "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"));
        assertThat(certificate.subject()).contains("CN=tasks.example.com");
        assertThat(certificate.fromStackCa()).isTrue();
        assertThat(certificate.notAfter()).isEqualTo(NOW.plus(StackCa.SERVER_VALIDITY));
        assertThat(mode(tls.edgeFile())).isEqualTo("rw-------");
        assertThat(mode(tls.caKeyFile())).isEqualTo("rw-------");
        assertThat(mode(tls.caCertificateFile())).isEqualTo("rw-r--r--");
        assertThat(Files.readString(tls.caCertificateFile())).doesNotContain("PRIVATE KEY");
        var x509 = Pem.read(Files.readString(tls.edgeFile())).certificates().get(0);
        assertThat(x509.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth only
        assertThat(x509.getBasicConstraints()).isEqualTo(-1); // not a CA
    }

    @Test
    void upKeepsACertificateThatStandsAndReissuesOneWithOtherNamesOrLittleTimeLeft() {
        var tls = tls(NAMES);
        tls.prepare(NOW);
        String serial = tls.current().orElseThrow().serial();

        assertThat(tls.prepare(NOW.plus(Duration.ofDays(300)))).isEmpty();
        assertThat(tls.current().orElseThrow().serial()).isEqualTo(serial);

        assertThat(tls(List.of("other.example.com", "localhost")).prepare(NOW)).isPresent();
        assertThat(tls.current().orElseThrow().names()).containsExactly("other.example.com", "localhost");

        var later = tls(List.of("other.example.com", "localhost"));
        assertThat(later.prepare(NOW.plus(StackCa.SERVER_VALIDITY).minus(Duration.ofDays(10))))
                .hasValueSatisfying(said -> assertThat(said).startsWith("issued nginx's certificate"));
    }

    @Test
    void renewGivesANewKeyFromTheSameCa() throws Exception {
        var tls = tls(NAMES);
        tls.prepare(NOW);
        String ca = Files.readString(tls.caCertificateFile());
        var before = Pem.read(Files.readString(tls.edgeFile()));

        var renewed = tls.renew(NOW.plusSeconds(60));

        var after = Pem.read(Files.readString(tls.edgeFile()));
        assertThat(renewed.serial())
                .isNotEqualTo(before.certificates().get(0).getSerialNumber().toString(16));
        assertThat(after.key().orElseThrow().getEncoded())
                .isNotEqualTo(before.key().orElseThrow().getEncoded());
        assertThat(Files.readString(tls.caCertificateFile())).isEqualTo(ca);
        assertThat(renewed.fromStackCa()).isTrue();
    }

    @Test
    void stackctlsClientsTrustTheStackCaWithHostNameChecksAndRefuseAnotherCa() throws Exception {
        var tls = tls(List.of("localhost", "127.0.0.1"));
        tls.prepare(Instant.now());
        var stranger = StackCa.create("stranger", Instant.now()).issue(List.of("127.0.0.1"), Instant.now());
        var trust = new EdgeTrust(tls.caCertificateFile(), dir.resolve("no-pinned-certificate.pem"));

        try (var ours = serve(Pem.read(Files.readString(tls.edgeFile())));
                var theirs = serve(new Pem.Contents(List.of(stranger.certificate()), Optional.of(stranger.key())))) {
            assertThat(get(trust, "https://127.0.0.1:" + ours.port() + "/")).isEqualTo(200);
            assertThat(get(trust, "https://localhost:" + ours.port() + "/")).isEqualTo(200);
            assertThatThrownBy(() -> get(trust, "https://127.0.0.1:" + theirs.port() + "/"))
                    .hasCauseInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aUsersCertificateThatDoesNotNameTheLoopbackIsTrustedByStackctlOnlyAsTheExactFileNginxWasGiven()
            throws Exception {
        var issuer = StackCa.create("users-own", Instant.now());
        var issued = issuer.issue(List.of("tasks.example.com"), Instant.now());
        Path cert = Files.writeString(dir.resolve("site.crt"), Pem.write(issued.certificate()));
        Path key = Files.writeString(dir.resolve("site.key"), Pem.write(issued.key()));
        var tls = new EdgeTls(
                dir.resolve("tls"), "demo", new EdgeTlsSettings(NAMES, Optional.of(cert), Optional.of(key)));

        assertThat(tls.prepare(Instant.now()))
                .hasValueSatisfying(said -> assertThat(said).contains(cert.toString()));
        assertThat(tls.prepare(Instant.now()))
                .as("the same files again: nothing to do")
                .isEmpty();
        assertThat(tls.current().orElseThrow().fromStackCa()).isFalse();
        assertThat(Files.exists(tls.caKeyFile()))
                .as("no CA is made for a user's certificate")
                .isFalse();

        var pinned = new EdgeTrust(tls.caCertificateFile(), tls.edgeFile());
        var unpinned = new EdgeTrust(tls.caCertificateFile(), dir.resolve("none.pem"));
        try (var server = serve(Pem.read(Files.readString(tls.edgeFile())))) {
            assertThat(get(pinned, "https://127.0.0.1:" + server.port() + "/")).isEqualTo(200);
            assertThatThrownBy(() -> get(unpinned, "https://127.0.0.1:" + server.port() + "/"))
                    .hasCauseInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aUsersKeyThatIsNotTheCertificatesOrAnExpiredCertificateIsRefusedAndNothingIsWritten() throws Exception {
        var issuer = StackCa.create("users-own", NOW);
        var issued = issuer.issue(List.of("tasks.example.com"), NOW);
        var other = issuer.issue(List.of("tasks.example.com"), NOW);
        Path cert = Files.writeString(dir.resolve("site.crt"), Pem.write(issued.certificate()));
        Path wrongKey = Files.writeString(dir.resolve("other.key"), Pem.write(other.key()));
        Path key = Files.writeString(dir.resolve("site.key"), Pem.write(issued.key()));
        var mismatched = new EdgeTls(
                dir.resolve("tls"), "demo", new EdgeTlsSettings(NAMES, Optional.of(cert), Optional.of(wrongKey)));
        var expired = new EdgeTls(
                dir.resolve("tls"), "demo", new EdgeTlsSettings(NAMES, Optional.of(cert), Optional.of(key)));

        assertThatThrownBy(() -> mismatched.prepare(NOW))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("is not the key of the certificate");
        assertThatThrownBy(() -> expired.prepare(NOW.plus(Duration.ofDays(400))))
                .hasMessageContaining("expired");
        assertThat(mismatched.edgeFile()).doesNotExist();
    }

    @Test
    void healthCallsAnExpiredCertificateAProblemAndOneNearExpiryOrNotYetServedAWarning() {
        var tls = tls(NAMES);
        tls.prepare(NOW);
        var certificate = tls.current().orElseThrow();
        var renewed = tls.renew(NOW);
        Instant expiry = certificate.notAfter();

        var fine = EdgeHealth.judge(Optional.of(certificate), Optional.of(certificate), NOW);
        var soon =
                EdgeHealth.judge(Optional.of(certificate), Optional.of(certificate), expiry.minus(Duration.ofDays(10)));
        var gone = EdgeHealth.judge(Optional.of(certificate), Optional.empty(), expiry.plusSeconds(1));
        var stale = EdgeHealth.judge(Optional.of(renewed), Optional.of(certificate), NOW);

        assertThat(fine.problems()).isEmpty();
        assertThat(fine.warnings()).isEmpty();
        assertThat(soon.problems()).isEmpty();
        assertThat(soon.warnings()).singleElement().asString().startsWith("the edge certificate expires in 10 days");
        assertThat(gone.problems()).singleElement().asString().startsWith("the edge certificate expired");
        assertThat(stale.warnings()).singleElement().asString().contains("a renewal stopped before nginx reloaded");
        assertThat(EdgeHealth.judge(Optional.empty(), Optional.empty(), NOW).problems())
                .singleElement()
                .asString()
                .contains("bin/stackctl up makes one");
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private static int get(EdgeTrust trust, String url) throws Exception {
        var context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, null);
        var client = HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        return client.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** A real HTTPS server on 127.0.0.1 with this certificate and key. */
    private static Server serve(Pem.Contents pem) throws Exception {
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
                "edge", pem.key().orElseThrow(), new char[0], pem.certificates().toArray(Certificate[]::new));
        var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        var context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        var server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return new Server(server);
    }

    record Server(HttpsServer server) implements AutoCloseable {
        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
