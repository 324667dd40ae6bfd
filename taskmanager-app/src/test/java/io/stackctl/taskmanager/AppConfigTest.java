package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AppConfigTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        AppConfig config = AppConfig.fromEnvironment(Map.of());

        assertThat(config.port()).isEqualTo(8080);
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
                Map.entry("REDIS_PASSWORD", "r"),
                Map.entry("CACHE_TTL_SECONDS", "30"),
                Map.entry("REQUEST_LOG_EVERY", "1"),
                Map.entry("REQUEST_LOG_SLOW_MS", "100")));

        assertThat(config)
                .isEqualTo(
                        new AppConfig(9000, "app-2", "db", 6543, "tasks", "u", "p", 7, "cache", 6380, "r", 30, 1, 100));
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db:6543/tasks");
    }

    @Test
    void rejectsANonNumericPortNamingTheVariable() {
        assertThatThrownBy(() -> AppConfig.fromEnvironment(Map.of("DB_PORT", "five")))
                .hasMessage("DB_PORT must be a whole number from 1 to 65535, got 'five'");
    }

    @Test
    void rejectsAPoolSizeOutOfRange() {
        assertThatThrownBy(() -> AppConfig.fromEnvironment(Map.of("DB_POOL_SIZE", "0")))
                .hasMessageContaining("DB_POOL_SIZE must be a whole number from 1 to 200");
    }

    @Test
    void rejectsAnEmptyHost() {
        assertThatThrownBy(() -> AppConfig.fromEnvironment(Map.of("DB_HOST", " ")))
                .hasMessageStartingWith("DB_HOST is set but empty");
    }

    @Test
    void neverPrintsSecrets() {
        AppConfig config = AppConfig.fromEnvironment(Map.of("DB_PASSWORD", "s3cret", "REDIS_PASSWORD", "r3dis"));

        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("r3dis");
    }
}
