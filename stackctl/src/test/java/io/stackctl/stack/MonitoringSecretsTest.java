package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitoringSecretsTest {

    private static final String ENV = "OPS_TOKEN=ops-1\nREDIS_OPS_PASSWORD=cache-1\nMONITOR_DB_PASSWORD=monitor-1\n";

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

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void onWritesEachServicesCredentialAloneReadableByItsUserAndOpensTheMonitorLogin() throws Exception {
        var secrets = new MonitoringSecrets(files());

        var written = secrets.ensure(env(ENV), true, "");

        Path folder = root.resolve("compose/secrets/monitoring");
        assertThat(written)
                .containsExactlyInAnyOrder(
                        "monitoring/ops-token",
                        "monitoring/cache-password",
                        "monitoring/db-password",
                        "monitoring/alertmanager.yml",
                        "db/monitor-password");
        // The whole text is the secret: no newline for Prometheus' credentials_file or the exporters to send along.
        assertThat(Files.readString(folder.resolve("ops-token"))).isEqualTo("ops-1");
        assertThat(Files.readString(folder.resolve("cache-password"))).isEqualTo("cache-1");
        assertThat(Files.readString(folder.resolve("db-password"))).isEqualTo("monitor-1");
        assertThat(Files.readString(root.resolve("compose/secrets/db/monitor-password")))
                .isEqualTo("monitor-1\n");
        assertThat(mode(root.resolve("compose/secrets"))).isEqualTo("rwx------");
        assertThat(mode(folder)).isEqualTo("rwxr-xr-x");
        assertThat(mode(folder.resolve("ops-token"))).isEqualTo("rw-r--r--");
        assertThat(mode(root.resolve("compose/secrets/db"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("compose/secrets/db/monitor-password"))).isEqualTo("rw-------");
        assertThat(secrets.ensure(env(ENV), true, ""))
                .as("nothing to write the second time")
                .isEmpty();
        assertThat(secrets.ensure(env(ENV.replace("ops-1", "ops-2")), true, ""))
                .as("a rotated operator token follows")
                .containsExactly("monitoring/ops-token");
    }

    @Test
    void offRemovesEveryFileSoTheMonitorLoginCloses() throws Exception {
        var secrets = new MonitoringSecrets(files());
        secrets.ensure(env(ENV), true, "");

        var removed = secrets.ensure(env(ENV), false, "");

        assertThat(removed).containsExactly("db/monitor-password", "monitoring/");
        assertThat(root.resolve("compose/secrets/monitoring")).doesNotExist();
        assertThat(root.resolve("compose/secrets/db/monitor-password")).doesNotExist();
        assertThat(secrets.ensure(env(ENV), false, "")).isEmpty();
    }

    @Test
    void aMissingSecretIsNamedAndNothingIsWritten() throws Exception {
        var secrets = new MonitoringSecrets(files());

        assertThatThrownBy(() -> secrets.ensure(env("OPS_TOKEN=ops-1\nREDIS_OPS_PASSWORD=cache-1\n"), true, ""))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("MONITOR_DB_PASSWORD")
                .satisfies(e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.PRECONDITION));
        assertThat(root.resolve("compose/secrets/monitoring")).doesNotExist();
    }

    @Test
    void theSettingIsOnOrOffAndTheShellWins() throws Exception {
        files();
        assertThat(Monitoring.enabled(Map.of(), env("MONITORING=on\n"))).isTrue();
        assertThat(Monitoring.enabled(Map.of(), env("MONITORING=off\n"))).isFalse();
        assertThat(Monitoring.enabled(Map.of(), env(""))).isFalse();
        assertThat(Monitoring.enabled(Map.of("MONITORING", "off"), env("MONITORING=on\n")))
                .isFalse();
        assertThatThrownBy(() -> Monitoring.enabled(Map.of(), env("MONITORING=yes\n")))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("MONITORING is 'yes', which is neither on nor off")
                .satisfies(e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }
}
