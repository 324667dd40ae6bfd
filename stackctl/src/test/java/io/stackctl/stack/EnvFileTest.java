package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileTest {

    @TempDir
    Path dir;

    @Test
    void firstUpGeneratesDistinctRandomSecretsReadableOnlyByTheOwner() throws Exception {
        Path path = dir.resolve(".env");
        var env = EnvFile.load(path);

        assertThat(env.ensureSecrets())
                .containsExactly(
                        EnvFile.DB_SECRET,
                        EnvFile.APP_DB_SECRET,
                        EnvFile.CACHE_SECRET,
                        EnvFile.CACHE_OPS_SECRET,
                        EnvFile.TOKEN_SECRET,
                        EnvFile.ADMIN_SECRET,
                        EnvFile.OPS_SECRET,
                        EnvFile.BACKUP_SECRET,
                        EnvFile.MONITOR_DB_SECRET,
                        EnvFile.REPLICATION_SECRET);
        env.save();

        var reread = EnvFile.load(path);
        assertThat(reread.get(EnvFile.DB_SECRET))
                .hasValueSatisfying(s -> assertThat(s).matches("[0-9a-f]{48}"));
        assertThat(reread.get(EnvFile.TOKEN_SECRET))
                .hasValueSatisfying(s -> assertThat(s).matches("[0-9a-f]{64}"));
        assertThat(reread.get(EnvFile.OPS_SECRET))
                .hasValueSatisfying(s -> assertThat(s).matches("[0-9a-f]{64}"));
        // The repository's key: 256 random bits, as AES-256 wants.
        assertThat(reread.get(EnvFile.BACKUP_SECRET))
                .hasValueSatisfying(s -> assertThat(s).matches("[0-9a-f]{64}"));
        assertThat(reread.get(EnvFile.DB_SECRET)).isNotEqualTo(reread.get(EnvFile.CACHE_SECRET));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                .isEqualTo("rw-------");
    }

    @Test
    void existingSecretsAndSettingsAreKeptAndSecretsAddedSinceAreFilledIn() throws Exception {
        Path path = dir.resolve(".env");
        Files.writeString(path, "# mine\nPOSTGRES_PASSWORD=keep\nREDIS_PASSWORD=also\nSTACK_HTTP_PORT=9090\n");
        var env = EnvFile.load(path);

        assertThat(env.ensureSecrets())
                .containsExactly(
                        EnvFile.APP_DB_SECRET,
                        EnvFile.CACHE_OPS_SECRET,
                        EnvFile.TOKEN_SECRET,
                        EnvFile.ADMIN_SECRET,
                        EnvFile.OPS_SECRET,
                        EnvFile.BACKUP_SECRET,
                        EnvFile.MONITOR_DB_SECRET,
                        EnvFile.REPLICATION_SECRET);
        assertThat(env.ensureSecrets()).isEmpty();
        env.put("POSTGRES_IMAGE", "stackctl-offline/postgres:15");
        env.save();

        var reread = EnvFile.load(path);
        assertThat(reread.get("POSTGRES_PASSWORD")).contains("keep");
        assertThat(reread.get("STACK_HTTP_PORT")).contains("9090");
        assertThat(reread.get("POSTGRES_IMAGE")).contains("stackctl-offline/postgres:15");
    }

    @Test
    void settingsPreferTheShellThenTheFileThenTheDefault() throws Exception {
        Path path = dir.resolve(".env");
        Files.writeString(path, "STACK_HTTP_PORT=9090\n");
        var env = EnvFile.load(path);

        assertThat(StackSettings.resolve(java.util.Map.of(), env).httpPort()).isEqualTo(9090);
        assertThat(StackSettings.resolve(java.util.Map.of("STACK_HTTP_PORT", "7070"), env)
                        .httpPort())
                .isEqualTo(7070);
        var defaults = StackSettings.resolve(java.util.Map.of(), EnvFile.load(dir.resolve("none")));
        assertThat(defaults.baseUrl()).isEqualTo("https://127.0.0.1:8443");
        assertThat(defaults.plainUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(StackSettings.resolve(java.util.Map.of("STACK_TLS", "off"), env)
                        .baseUrl())
                .isEqualTo("http://127.0.0.1:9090");
    }

    @Test
    void aTlsSwitchOrPortThatMeansNothingIsAUsageErrorNamingTheSetting() {
        var none = EnvFile.load(dir.resolve("none"));
        assertThatThrownBy(() -> StackSettings.resolve(java.util.Map.of("STACK_TLS", "maybe"), none))
                .isInstanceOf(io.stackctl.core.StackctlException.class)
                .hasMessageContaining("STACK_TLS must be on or off, got 'maybe'");
        assertThatThrownBy(() -> StackSettings.resolve(java.util.Map.of("STACK_HTTPS_PORT", "70000"), none))
                .hasMessageContaining("STACK_HTTPS_PORT must be a port number");
    }

    @Test
    void offlineBuildOutputIsParsedIntoImageVariables() {
        var images = OfflineImages.parse(
                "[images] building...\nPOSTGRES_IMAGE=stackctl-offline/postgres:15\nREDIS_IMAGE=r:7\n");

        assertThat(images)
                .containsEntry("POSTGRES_IMAGE", "stackctl-offline/postgres:15")
                .containsEntry("REDIS_IMAGE", "r:7");
        assertThat(images).hasSize(2);
    }

    @Test
    void theExamplesPlaceholderAndShortPasswordsAreWeakGeneratedOnesAreNot() throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(
                file,
                "POSTGRES_PASSWORD=change-me\nREDIS_PASSWORD=hunter2\nJWT_SECRET=0123456789abcdef0123\n"
                        + "BACKUP_CIPHER_PASS=backups-2026\n");
        assertThat(EnvFile.load(file).weakSecrets())
                .containsExactly(
                        "POSTGRES_PASSWORD is the placeholder 'change-me'",
                        "REDIS_PASSWORD has 7 characters (at least 16)",
                        "JWT_SECRET has 20 characters (at least 32)",
                        "BACKUP_CIPHER_PASS has 12 characters (at least 32)");

        var generated = EnvFile.load(dir.resolve("fresh.env"));
        generated.ensureSecrets();
        assertThat(generated.weakSecrets()).isEmpty();
    }

    @Test
    void itsSecretsAreWhatARollbackTakesFromTodaysFile() throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, "APP_REPLICAS=3\nADMIN_PASSWORD=rotated-admin-pw\nJWT_SECRET=\nOPS_TOKEN=ops\n");

        assertThat(EnvFile.load(file).secrets())
                .as("the secrets set, and only those, with the database login they go with (the first by default)")
                .containsExactly(
                        entry("ADMIN_PASSWORD", "rotated-admin-pw"),
                        entry("OPS_TOKEN", "ops"),
                        entry("APP_DB_USER", "taskmanager_app"));

        Files.writeString(file, "APP_DB_USER=taskmanager_app_2\nAPP_DB_PASSWORD=rotated-db-password\n");
        assertThat(EnvFile.load(file).secrets())
                .as("a rotated login goes with its password: a rollback never pairs the old login with the new one")
                .containsExactly(
                        entry("APP_DB_PASSWORD", "rotated-db-password"), entry("APP_DB_USER", "taskmanager_app_2"));
        assertThat(EnvFile.withoutSecrets("APP_REPLICAS=3\nAPP_DB_USER=taskmanager_app_2\nAPP_DB_PASSWORD=x"))
                .isEqualTo("APP_REPLICAS=3");

        Files.writeString(file, "APP_SECRETS_ID=0123456789abcdef\nADMIN_PASSWORD=today\n");
        assertThat(EnvFile.load(file).secrets())
                .as("the folder of the app's secret files goes with the secrets: a rollback mounts today's")
                .contains(entry("APP_SECRETS_ID", "0123456789abcdef"));
        assertThat(EnvFile.withoutSecrets("APP_SECRETS_ID=0123456789abcdef\nAPP_REPLICAS=3"))
                .isEqualTo("APP_REPLICAS=3");
    }
}
