package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialFilesTest {

    @TempDir
    Path root;

    private StackFiles files() throws Exception {
        Files.createDirectories(root.resolve("compose"));
        return new StackFiles(root);
    }

    private EnvFile env(String text) throws Exception {
        Path file = root.resolve("compose/.env");
        Files.writeString(file, text);
        return EnvFile.load(file);
    }

    @Test
    void upWritesComposeEnvsCredentialsPrivately() throws Exception {
        var credentials = new CredentialFiles(files());

        var written = credentials.ensureCurrent(env("APP_DB_PASSWORD=db-one\nREDIS_PASSWORD=redis-one\n"));

        assertThat(written).containsExactly("db/app-logins", "cache/app-passwords");
        assertThat(credentials.databaseLogins()).containsExactly(entry("taskmanager_app", "db-one"));
        assertThat(credentials.cachePasswords()).containsExactly("redis-one");
        Path secrets = root.resolve("compose/secrets");
        for (Path dir : List.of(secrets, secrets.resolve("db"), secrets.resolve("cache"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .as(dir.toString())
                    .isEqualTo("rwx------");
        }
        for (Path file : List.of(secrets.resolve("db/app-logins"), secrets.resolve("cache/app-passwords"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as(file.toString())
                    .isEqualTo("rw-------");
        }
        assertThat(credentials.ensureCurrent(env("APP_DB_PASSWORD=db-one\nREDIS_PASSWORD=redis-one\n")))
                .as("nothing to write the second time")
                .isEmpty();
    }

    @Test
    void theSuperusersAndOperationsPasswordsAreFilesThatFollowComposeEnv() throws Exception {
        var credentials = new CredentialFiles(files());
        Path secrets = root.resolve("compose/secrets");

        assertThat(credentials.ensureCurrent(env("POSTGRES_PASSWORD=super-one\nREDIS_OPS_PASSWORD=ops-one\n")))
                .containsExactly("db/superuser-password", "cache/ops-password");
        assertThat(Files.readString(secrets.resolve("db/superuser-password"))).isEqualTo("super-one\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve("cache/ops-password"))))
                .isEqualTo("rw-------");

        assertThat(credentials.ensureCurrent(env("POSTGRES_PASSWORD=super-one\nREDIS_OPS_PASSWORD=ops-two\n")))
                .as("replaced, not added to: stackctl_ops has one password")
                .containsExactly("cache/ops-password");
        assertThat(Files.readString(secrets.resolve("cache/ops-password"))).isEqualTo("ops-two\n");
    }

    @Test
    void upAddsTheCurrentCredentialAndKeepsTheOneAnUnfinishedRotationLeftOpen() throws Exception {
        var credentials = new CredentialFiles(files());
        credentials.writeDatabaseLogins(Map.of("taskmanager_app", "db-old"));
        credentials.writeCachePasswords(List.of("redis-old"));

        credentials.ensureCurrent(
                env("APP_DB_USER=taskmanager_app_2\nAPP_DB_PASSWORD=db-new\nREDIS_PASSWORD=redis-new\n"));

        assertThat(credentials.databaseLogins())
                .containsExactly(entry("taskmanager_app", "db-old"), entry("taskmanager_app_2", "db-new"));
        assertThat(credentials.cachePasswords()).containsExactly("redis-old", "redis-new");

        credentials.ensureCurrent(env("APP_DB_USER=taskmanager_app_2\nAPP_DB_PASSWORD=db-changed\n"));
        assertThat(credentials.databaseLogins())
                .as("a login has one password: compose/.env's replaces the file's")
                .containsExactly(entry("taskmanager_app", "db-old"), entry("taskmanager_app_2", "db-changed"));
    }

    @Test
    void aLineForAnotherRoleIsRefusedWithWhatToDo() throws Exception {
        var credentials = new CredentialFiles(files());
        Files.createDirectories(root.resolve("compose/secrets/db"));
        Files.writeString(root.resolve("compose/secrets/db/app-logins"), "postgres hunter2\n");

        assertThatThrownBy(credentials::databaseLogins)
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("taskmanager_app or taskmanager_app_2")
                .satisfies(e -> assertThat(((StackctlException) e).hint()).contains("bin/stackctl up writes it"));
    }

    @Test
    void theOtherLoginAlternates() {
        assertThat(CredentialFiles.otherLogin("taskmanager_app")).isEqualTo("taskmanager_app_2");
        assertThat(CredentialFiles.otherLogin("taskmanager_app_2")).isEqualTo("taskmanager_app");
    }
}
