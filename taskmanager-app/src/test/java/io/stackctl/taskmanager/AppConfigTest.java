package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.taskmanager.auth.AuthSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    /** The variables given plus a JWT secret, which authentication (on by default) needs. */
    private static AppConfig withSecret(String... pairs) {
        var env = new HashMap<String, String>();
        env.put("JWT_SECRET", SECRET);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return AppConfig.fromEnvironment(env);
    }

    @Test
    void defaultsApplyWhenNothingIsSet() {
        AppConfig config = withSecret();

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.auth().required()).isTrue();
        assertThat(config.auth().tokenTtl()).isEqualTo(Duration.ofMinutes(60));
        assertThat(config.auth().clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.auth().requestsPerSecond()).isEqualTo(AuthSettings.DEFAULT_REQUESTS_PER_SECOND);
        assertThat(config.auth().adminPassword()).isEmpty();
        // a bare password logs in as Redis' default user, as redis-cli -a does
        assertThat(config.redisUser()).isEqualTo("default");
        assertThat(config.dbPoolSize()).isEqualTo(AppConfig.DEFAULT_DB_POOL_SIZE);
        assertThat(config.cacheTtlSeconds()).isEqualTo(60);
        assertThat(config.instanceId()).isNotBlank();
    }

    @Test
    void readsEveryVariable() {
        AppConfig config = AppConfig.fromEnvironment(Map.ofEntries(
                Map.entry("PORT", "9000"),
                Map.entry("INSTANCE_ID", "app-2"),
                Map.entry("DB_HOST", "db"),
                Map.entry("DB_PORT", "6543"),
                Map.entry("DB_NAME", "tasks"),
                Map.entry("DB_USER", "u"),
                Map.entry("DB_PASSWORD", "p"),
                Map.entry("DB_POOL_SIZE", "7"),
                Map.entry("REDIS_HOST", "cache"),
                Map.entry("REDIS_PORT", "6380"),
                Map.entry("REDIS_USER", "ru"),
                Map.entry("REDIS_PASSWORD", "r"),
                Map.entry("CACHE_TTL_SECONDS", "30"),
                Map.entry("REQUEST_LOG_EVERY", "1"),
                Map.entry("REQUEST_LOG_SLOW_MS", "100"),
                Map.entry("AUTH_MODE", "required"),
                Map.entry("JWT_SECRET", SECRET),
                Map.entry("JWT_TTL_MINUTES", "15"),
                Map.entry("JWT_CLOCK_SKEW_SECONDS", "5"),
                Map.entry("ADMIN_USERNAME", "ops"),
                Map.entry("ADMIN_PASSWORD", "a-long-admin-password"),
                Map.entry("RATE_LIMIT_PER_USER", "20"),
                Map.entry("LOGIN_ATTEMPTS_PER_MINUTE", "3"),
                Map.entry("OPS_TOKEN", SECRET)));

        var auth = new AuthSettings(
                true,
                SECRET,
                Duration.ofMinutes(15),
                Duration.ofSeconds(5),
                "ops",
                "a-long-admin-password",
                20,
                3,
                SECRET);
        assertThat(config)
                .isEqualTo(new AppConfig(
                        9000, "app-2", "db", 6543, "tasks", "u", "p", 7, "cache", 6380, "ru", "r", 30, 1, 100, auth, "",
                        6380, false, null));
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db:6543/tasks");
    }

    @Test
    void internalTlsChecksPostgresCertificateAgainstTheStacksCaAndRefusesAFileItCannotRead() throws Exception {
        java.nio.file.Path ca = java.nio.file.Files.createTempFile("stack-ca", ".crt");
        try {
            var config = withSecret("INTERNAL_TLS", "on", "INTERNAL_TLS_CA_FILE", ca.toString());
            assertThat(config.jdbcUrl())
                    .isEqualTo("jdbc:postgresql://localhost:5432/taskmanager?sslmode=verify-full&sslrootcert="
                            + java.net.URLEncoder.encode(ca.toString(), java.nio.charset.StandardCharsets.UTF_8));
            assertThat(config.cache().tlsCaFile()).isEqualTo(ca.toString());
            assertThat(config.cache().port()).as("Redis' TLS port").isEqualTo(6380);
        } finally {
            java.nio.file.Files.delete(ca);
        }
        assertThatThrownBy(() -> withSecret("INTERNAL_TLS", "on", "INTERNAL_TLS_CA_FILE", "/nonexistent/ca.crt"))
                .hasMessageContaining("INTERNAL_TLS_CA_FILE /nonexistent/ca.crt cannot be read");
        assertThatThrownBy(() -> withSecret("INTERNAL_TLS", "yes"))
                .hasMessage("INTERNAL_TLS must be 'on' or 'off', got 'yes'");
        assertThat(withSecret().jdbcUrl()).doesNotContain("ssl");
    }

    @Test
    void severalDatabaseHostsConnectToWhicheverIsThePrimary() {
        assertThat(withSecret("DB_HOST", "db,db-standby").jdbcUrl())
                .isEqualTo("jdbc:postgresql://db:5432,db-standby:5432/taskmanager"
                        + "?targetServerType=primary&hostRecheckSeconds=2");
        assertThatThrownBy(() -> withSecret("DB_HOST", "db,,db-standby"))
                .hasMessageContaining("DB_HOST must be host names separated by commas");
        assertThatThrownBy(() -> withSecret("DB_HOST", "db:5432")).hasMessageContaining("the port is DB_PORT");
    }

    @Test
    void listReadsGoToAStandbyOnlyWhenAskedAndOneCanExist() {
        assertThat(withSecret("DB_HOST", "db,db-standby").database().standbyJdbcUrl())
                .as("off by default")
                .isEmpty();
        assertThat(withSecret("DB_HOST", "db,db-standby", "READS_FROM_STANDBY", "on")
                        .database()
                        .standbyJdbcUrl())
                .isEqualTo("jdbc:postgresql://db:5432,db-standby:5432/taskmanager"
                        + "?targetServerType=secondary&hostRecheckSeconds=2");
        assertThat(withSecret("READS_FROM_STANDBY", "on").database().standbyJdbcUrl())
                .as("one host has no standby")
                .isEmpty();
        assertThatThrownBy(() -> withSecret("READS_FROM_STANDBY", "yes"))
                .hasMessage("READS_FROM_STANDBY must be 'on' or 'off', got 'yes'");
    }

    @Test
    void rejectsANonNumericPortNamingTheVariable() {
        assertThatThrownBy(() -> withSecret("DB_PORT", "five"))
                .hasMessage("DB_PORT must be a whole number from 1 to 65535, got 'five'");
    }

    @Test
    void rejectsAPoolSizeOutOfRange() {
        assertThatThrownBy(() -> withSecret("DB_POOL_SIZE", "0"))
                .hasMessageContaining("DB_POOL_SIZE must be a whole number from 1 to 200");
    }

    @Test
    void rejectsAnEmptyHost() {
        assertThatThrownBy(() -> withSecret("DB_HOST", " ")).hasMessageStartingWith("DB_HOST is set but empty");
    }

    @Test
    void neverPrintsSecrets() {
        AppConfig config =
                withSecret("DB_PASSWORD", "s3cret", "REDIS_PASSWORD", "r3dis", "ADMIN_PASSWORD", "admin-password-1");

        assertThat(config.toString())
                .doesNotContain("s3cret")
                .doesNotContain("r3dis")
                .doesNotContain(SECRET)
                .doesNotContain("admin-password-1")
                .contains("auth=required");
    }

    @Test
    void requiredAuthWithoutAStrongSecretDoesNotStart() {
        assertThatThrownBy(() -> AppConfig.fromEnvironment(Map.of()))
                .hasMessageStartingWith("JWT_SECRET must be at least 32 characters while AUTH_MODE=required, got 0")
                .hasMessageContaining("openssl rand -hex 32");
        assertThatThrownBy(() -> AppConfig.fromEnvironment(Map.of("JWT_SECRET", "short")))
                .hasMessageContaining("got 5");
    }

    @Test
    void secretsMayComeFromFilesAsDockerSecretsProvideThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var secret = java.nio.file.Files.writeString(dir.resolve("jwt"), SECRET + "\n");
        var db = java.nio.file.Files.writeString(dir.resolve("db"), "from-a-file\n");

        AppConfig config = AppConfig.fromEnvironment(
                Map.of("JWT_SECRET_FILE", secret.toString(), "DB_PASSWORD_FILE", db.toString()));

        assertThat(config.auth().jwtSecret()).isEqualTo(SECRET);
        assertThat(config.dbPassword()).isEqualTo("from-a-file");
        assertThatThrownBy(() ->
                        withSecret("DB_PASSWORD_FILE", dir.resolve("missing").toString()))
                .hasMessageStartingWith("DB_PASSWORD_FILE names " + dir.resolve("missing") + ", which cannot be read");
        assertThatThrownBy(() ->
                        AppConfig.fromEnvironment(Map.of("JWT_SECRET", SECRET, "JWT_SECRET_FILE", secret.toString())))
                .hasMessage("both JWT_SECRET and JWT_SECRET_FILE are set; keep only one of them");
    }

    @Test
    void authOffNeedsNoSecret() {
        AppConfig config = AppConfig.fromEnvironment(Map.of("AUTH_MODE", "off"));

        assertThat(config.auth().required()).isFalse();
        assertThat(config.toString()).contains("auth=off");
    }

    @Test
    void rejectsAnUnknownAuthModeAndAShortAdminPassword() {
        assertThatThrownBy(() -> withSecret("AUTH_MODE", "optional"))
                .hasMessage("AUTH_MODE must be 'required' or 'off', got 'optional'");
        assertThatThrownBy(() -> withSecret("ADMIN_PASSWORD", "short"))
                .hasMessage("ADMIN_PASSWORD must be at least 12 characters, got 5");
        assertThatThrownBy(() -> withSecret("JWT_TTL_MINUTES", "0"))
                .hasMessageContaining("JWT_TTL_MINUTES must be a whole number from 1 to 1440");
    }

    @Test
    void rejectsAGuessableOperatorToken() {
        assertThatThrownBy(() -> withSecret("OPS_TOKEN", "short-ops-token"))
                .hasMessageStartingWith("OPS_TOKEN must be at least 32 characters, got 15");
    }
}
