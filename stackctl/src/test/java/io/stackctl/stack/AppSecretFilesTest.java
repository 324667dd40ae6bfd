package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppSecretFilesTest {

    private static final String SECRETS = "APP_DB_PASSWORD=db-one\nREDIS_PASSWORD=redis-one\n"
            + "JWT_SECRET=jwt-one-jwt-one-jwt-one-jwt-one-1\nADMIN_PASSWORD=admin-one\n"
            + "OPS_TOKEN=ops-one-ops-one-ops-one-ops-one-1\nAPP_REPLICAS=3\n";

    @TempDir
    Path root;

    private AppSecretFiles secretFiles() throws Exception {
        Files.createDirectories(root.resolve("compose"));
        return new AppSecretFiles(new StackFiles(root));
    }

    private Path envFile(String text) throws Exception {
        Path file = root.resolve("compose/.env");
        Files.writeString(file, text);
        return file;
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void eachSecretIsAFileInAFolderNamedInComposeEnv() throws Exception {
        var secretFiles = secretFiles();
        Path envFile = envFile(SECRETS);

        String id = secretFiles.ensureCurrent(EnvFile.load(envFile));

        assertThat(EnvFile.load(envFile).get(AppSecretFiles.ID_VARIABLE))
                .as("saved")
                .contains(id);
        assertThat(Files.readString(envFile))
                .as("the rest of the file as it was")
                .contains("\nAPP_REPLICAS=3\n");
        Path folder = secretFiles.folder(id);
        assertThat(Files.readString(folder.resolve("db-password"))).isEqualTo("db-one");
        assertThat(Files.readString(folder.resolve("redis-password"))).isEqualTo("redis-one");
        assertThat(Files.readString(folder.resolve("jwt-secret"))).isEqualTo("jwt-one-jwt-one-jwt-one-jwt-one-1");
        assertThat(Files.readString(folder.resolve("admin-password"))).isEqualTo("admin-one");
        assertThat(Files.readString(folder.resolve("ops-token"))).isEqualTo("ops-one-ops-one-ops-one-ops-one-1");
        try (Stream<Path> all = Files.list(folder)) {
            assertThat(all).hasSize(5);
        }
        // The app's own user reads them in the container; on the host the two folders above shut everyone else out.
        assertThat(mode(folder)).isEqualTo("rwxr-xr-x");
        assertThat(mode(folder.resolve("ops-token"))).isEqualTo("rw-r--r--");
        assertThat(mode(root.resolve("compose/secrets/app"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("compose/secrets"))).isEqualTo("rwx------");
    }

    @Test
    void aChangedSecretIsANewFolderBesideTheOldUntilPruned() throws Exception {
        var secretFiles = secretFiles();
        Path envFile = envFile(SECRETS);
        String first = secretFiles.ensureCurrent(EnvFile.load(envFile));
        assertThat(secretFiles.ensureCurrent(EnvFile.load(envFile)))
                .as("same secrets, same folder")
                .isEqualTo(first);

        Files.writeString(envFile, Files.readString(envFile).replace("ADMIN_PASSWORD=admin-one", "ADMIN_PASSWORD=two"));
        String second = secretFiles.ensureCurrent(EnvFile.load(envFile));

        assertThat(second).isNotEqualTo(first);
        assertThat(EnvFile.load(envFile).get(AppSecretFiles.ID_VARIABLE)).contains(second);
        assertThat(Files.readString(secretFiles.folder(first).resolve("admin-password")))
                .as("the replicas not rolled yet still read theirs")
                .isEqualTo("admin-one");
        assertThat(Files.readString(secretFiles.folder(second).resolve("admin-password")))
                .isEqualTo("two");

        assertThat(secretFiles.pruneExcept(second)).containsExactly(first);
        assertThat(secretFiles.folder(first)).doesNotExist();
        assertThat(secretFiles.folder(second)).isDirectory();
    }

    @Test
    void aFolderChangedByHandIsWrittenAgain() throws Exception {
        var secretFiles = secretFiles();
        Path envFile = envFile(SECRETS);
        String id = secretFiles.ensureCurrent(EnvFile.load(envFile));
        Files.writeString(secretFiles.folder(id).resolve("db-password"), "tampered");
        Files.delete(secretFiles.folder(id).resolve("ops-token"));

        assertThat(secretFiles.ensureCurrent(EnvFile.load(envFile))).isEqualTo(id);

        assertThat(Files.readString(secretFiles.folder(id).resolve("db-password")))
                .isEqualTo("db-one");
        assertThat(secretFiles.folder(id).resolve("ops-token")).exists();
    }

    @Test
    void aMissingSecretIsRefusedWithWhatToDo() throws Exception {
        var secretFiles = secretFiles();
        Path envFile = envFile("APP_DB_PASSWORD=db-one\nREDIS_PASSWORD=redis-one\n");

        assertThatThrownBy(() -> secretFiles.ensureCurrent(EnvFile.load(envFile)))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("compose/.env has no JWT_SECRET, ADMIN_PASSWORD, OPS_TOKEN")
                .satisfies(e -> assertThat(((StackctlException) e).hint()).contains("bin/stackctl up"));
        assertThat(root.resolve("compose/secrets/app")).doesNotExist();
    }
}
