package io.stackctl.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalTlsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T04:00:00Z");

    @TempDir
    Path dir;

    private InternalTls tls() {
        var edge = new EdgeTls(
                dir.resolve("tls"),
                "demo",
                new EdgeTlsSettings(List.of("localhost", "127.0.0.1"), Optional.empty(), Optional.empty()));
        return new InternalTls(dir.resolve("tls"), edge);
    }

    @Test
    void upIssuesEachServiceACertificateForItsNameOnceAndKeepsItWhileItHasTimeLeft() throws Exception {
        var tls = tls();

        var first = tls.prepare(NOW);

        assertThat(first.services()).containsExactly("db", "cache");
        assertThat(first.describe()).hasValueSatisfying(line -> assertThat(line).contains("db, cache"));
        Map<String, EdgeCertificate> certificates = tls.certificates();
        assertThat(certificates.get("db").names()).contains("db", "localhost", "127.0.0.1");
        assertThat(certificates.get("cache").names()).contains("cache").doesNotContain("db");
        assertThat(certificates.get("db").fromStackCa()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls/db/server.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("tls/trust/ca.crt")))
                .isEqualTo(Files.readString(dir.resolve("tls/db/ca.crt")));

        var again = tls.prepare(NOW.plus(Duration.ofDays(100)));
        assertThat(again.services()).as("100 days on, nothing to do").isEmpty();
        assertThat(again.describe()).isEmpty();
        assertThat(tls.certificates().get("db").serial())
                .isEqualTo(certificates.get("db").serial());
    }

    @Test
    void upIssuesAgainInTheLastThirtyDaysAndRenewIssuesAtOnce() {
        var tls = tls();
        tls.prepare(NOW);
        var before = tls.certificates();
        Instant late = before.get("db").notAfter().minus(Duration.ofDays(29));

        var renewedByUp = tls.prepare(late);

        assertThat(renewedByUp.services()).containsExactly("db", "cache");
        assertThat(renewedByUp.at()).isEqualTo(late);
        assertThat(tls.certificates().get("db").notAfter())
                .isAfter(before.get("db").notAfter());

        String serial = tls.certificates().get("cache").serial();
        var renewed = tls.renew(late);
        assertThat(renewed.services()).containsExactly("db", "cache");
        assertThat(tls.certificates().get("cache").serial()).isNotEqualTo(serial);
    }

    @Test
    void healthFailsOnAnExpiredCertificateInUseAndWarnsTwoWeeksAhead() {
        var tls = tls();
        tls.prepare(NOW);
        var certificates = tls.certificates();
        Instant end = certificates.get("db").notAfter();

        assertThat(InternalTlsHealth.judge(certificates, true, NOW))
                .isEqualTo(new InternalTlsHealth(List.of(), List.of()));

        var soon = InternalTlsHealth.judge(certificates, true, end.minus(Duration.ofDays(10)));
        assertThat(soon.problems()).isEmpty();
        assertThat(soon.warnings())
                .hasSize(2)
                .first()
                .asString()
                .contains("the db service's certificate expires in 10 days")
                .contains("certs renew --internal");

        var expiredInUse = InternalTlsHealth.judge(certificates, true, end.plusSeconds(1));
        assertThat(expiredInUse.problems()).hasSize(2).first().asString().contains("cannot open a TLS connection");

        var expiredUnused = InternalTlsHealth.judge(certificates, false, end.plusSeconds(1));
        assertThat(expiredUnused.problems())
                .as("STACK_INTERNAL_TLS=off: nothing uses it")
                .isEmpty();
        assertThat(expiredUnused.warnings()).hasSize(2);
    }
}
