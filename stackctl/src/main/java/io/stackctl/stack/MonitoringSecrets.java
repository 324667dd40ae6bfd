package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The credentials the monitoring profile's services read, as files in compose/secrets/monitoring (mounted read-only
 * at /run/stack-secrets), never in a container's environment: Prometheus' token for the replicas' {@code /metrics},
 * the Redis exporter's stackctl_ops password, the PostgreSQL exporter's stackctl_monitor password, and Alertmanager's
 * configuration ({@link AlertmanagerConfig}: a webhook's URL often carries a token). That login's
 * password also goes to compose/secrets/db/monitor-password, from which the db's health check opens the login
 * (compose/db/ensure-roles.sh); with the profile off both are removed, and the login is closed again.
 *
 * <p>Modes as {@link AppSecretFiles}': the folder and files are world-readable (0755, 0644), since the services run as
 * a user the host does not know, inside compose/secrets, which is 0700.
 */
public final class MonitoringSecrets {

    /** Each file, with the compose/.env variable it holds. */
    static final Map<String, String> FILES = Map.of(
            "ops-token", EnvFile.OPS_SECRET,
            "cache-password", EnvFile.CACHE_OPS_SECRET,
            "db-password", EnvFile.MONITOR_DB_SECRET);

    private final Path secrets;
    private final Path folder;
    private final Path loginFile;

    public MonitoringSecrets(StackFiles files) {
        this.secrets = files.secretsDir();
        this.folder = secrets.resolve("monitoring");
        this.loginFile = secrets.resolve("db").resolve("monitor-password");
    }

    /**
     * Writes what differs from compose/.env (profile on), with Alertmanager's configuration for {@code webhook}, or
     * removes it all (off); returns the files changed.
     */
    public List<String> ensure(EnvFile env, boolean enabled, String webhook) {
        try {
            return enabled ? write(env, webhook) : remove();
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the monitoring profile's credentials under " + secrets + ": " + e.getMessage(),
                    "check that " + secrets + " is writable by the user that runs stackctl");
        }
    }

    private List<String> write(EnvFile env, String webhook) throws IOException {
        Map<String, String> contents = new LinkedHashMap<>();
        FILES.forEach((file, variable) -> contents.put(
                file,
                env.get(variable)
                        .orElseThrow(() -> new StackctlException(
                                ExitCodes.PRECONDITION,
                                "compose/.env has no " + variable + ", which the monitoring profile needs",
                                "run bin/stackctl up --monitoring: it adds the missing secrets"))));
        String alertmanager = AlertmanagerConfig.render(webhook);
        contents.put("alertmanager.yml", alertmanager);
        String id = Sha256.of(alertmanager.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        if (!env.get(AlertmanagerConfig.ID_VARIABLE).orElse("").equals(id)) {
            env.put(AlertmanagerConfig.ID_VARIABLE, id);
            env.save();
        }
        List<String> changed = new ArrayList<>();
        for (Path dir : List.of(secrets, folder)) {
            Files.createDirectories(dir);
        }
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (var entry : contents.entrySet()) {
            // No newline: exporters and Prometheus take a file's whole text as the secret.
            if (AtomicFiles.writeStringIfChanged(
                    folder.resolve(entry.getKey()), entry.getValue(), AtomicFiles.permissions("rw-r--r--"))) {
                changed.add("monitoring/" + entry.getKey());
            }
        }
        String login = contents.get("db-password") + "\n";
        if (!same(loginFile, login)) {
            Files.createDirectories(loginFile.getParent());
            Files.setPosixFilePermissions(loginFile.getParent(), PosixFilePermissions.fromString("rwx------"));
            AtomicFiles.writeString(loginFile, login);
            changed.add("db/monitor-password");
        }
        return changed;
    }

    private List<String> remove() throws IOException {
        List<String> removed = new ArrayList<>();
        if (Files.deleteIfExists(loginFile)) {
            removed.add("db/monitor-password");
        }
        if (Files.exists(folder)) {
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            removed.add("monitoring/");
        }
        return removed;
    }

    private static boolean same(Path file, String text) throws IOException {
        return Files.isRegularFile(file) && Files.readString(file).equals(text);
    }
}
