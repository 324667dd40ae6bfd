package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The app's credentials as the db and cache services read them: files under compose/secrets, private to their owner
 * (0700 folders, 0600 files, replaced whole by a rename), mounted read-only into the service. Their health checks
 * (compose/db/ensure-roles.sh, compose/cache/ensure-users.sh) make the database's logins and Redis' passwords what
 * the files say, so a rotation changes a credential with no restart of either.
 *
 * <ul>
 *   <li>{@code db/app-logins}: one "login password" line per open login of the app's database role;
 *   <li>{@code cache/app-passwords}: one line per password of the app's Redis user;
 *   <li>{@code db/superuser-password} (read once, when the database is created) and {@code cache/ops-password}
 *       (stackctl_ops', which the cache's health check also gives Redis when it changed);
 *   <li>{@code db/backup-cipher-pass}: pgBackRest's repository key, which compose/db/start.sh puts in its
 *       configuration;
 *   <li>{@code db/replication-password}: the replication login's, and {@code db/replication}, the db nodes and whether
 *       commits wait for a standby ({@link #ensureReplication}), which compose/db/ensure-replication.sh applies;
 *   <li>{@code db/s3-key}, {@code db/s3-key-secret} and {@code db/s3-ca.pem}: the off-host repository's access key
 *       and the CA that signed its certificate ({@link OffsiteRepository}).
 * </ul>
 *
 * Two entries mean a rotation is under way: the replicas not yet rolled keep the old credential, the new ones use the
 * one compose/.env names.
 */
public final class CredentialFiles {

    /** The app's two database logins, both acting as the role that owns the schema (taskmanager_app itself). */
    public static final String FIRST_LOGIN = "taskmanager_app";

    public static final String SECOND_LOGIN = "taskmanager_app_2";

    private final Path root;
    private final Path logins;
    private final Path cachePasswords;
    private final Path superuserPassword;
    private final Path cacheOpsPassword;
    private final Path backupCipherPass;
    private final Path dbSecrets;

    public CredentialFiles(StackFiles files) {
        this.root = files.secretsDir();
        this.logins = root.resolve("db").resolve("app-logins");
        this.cachePasswords = root.resolve("cache").resolve("app-passwords");
        this.superuserPassword = root.resolve("db").resolve("superuser-password");
        this.cacheOpsPassword = root.resolve("cache").resolve("ops-password");
        this.backupCipherPass = root.resolve("db").resolve("backup-cipher-pass");
        this.dbSecrets = root.resolve("db");
    }

    /** The other of the app's two logins: where a rotation moves the replicas from {@code login}. */
    public static String otherLogin(String login) {
        return login.equals(FIRST_LOGIN) ? SECOND_LOGIN : FIRST_LOGIN;
    }

    /** The database logins that are open, with their passwords, in the file's order; empty when there is no file. */
    public Map<String, String> databaseLogins() {
        Map<String, String> open = new LinkedHashMap<>();
        for (String line : lines(logins)) {
            String[] parts = line.split("\\s+", 2);
            if (parts.length != 2 || !(parts[0].equals(FIRST_LOGIN) || parts[0].equals(SECOND_LOGIN))) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        logins + " has a line that is not '<login> <password>' for " + FIRST_LOGIN + " or "
                                + SECOND_LOGIN,
                        "delete the file: bin/stackctl up writes it again from compose/.env");
            }
            open.put(parts[0], parts[1].strip());
        }
        return open;
    }

    public void writeDatabaseLogins(Map<String, String> open) {
        var text = new StringBuilder();
        open.forEach((login, password) ->
                text.append(login).append(' ').append(password).append('\n'));
        write(logins, text.toString());
    }

    /** The passwords of the app's Redis user; empty when there is no file. */
    public List<String> cachePasswords() {
        return lines(cachePasswords);
    }

    public void writeCachePasswords(List<String> passwords) {
        write(cachePasswords, passwords.isEmpty() ? "" : String.join("\n", passwords) + "\n");
    }

    /**
     * Puts compose/.env's login and passwords in the files. The app's are added, never taken out: a rotation stopped
     * half-way leaves replicas on the old credential, which keeps working until the next rotation ends. The superuser's
     * and stackctl_ops' are replaced. Returns what changed.
     */
    public List<String> ensureCurrent(EnvFile env) {
        List<String> changed = new ArrayList<>();
        String login = env.appDatabaseLogin();
        String password = env.get(EnvFile.APP_DB_SECRET).orElse("");
        Map<String, String> open = new LinkedHashMap<>(databaseLogins());
        if (!password.isEmpty() && !password.equals(open.get(login))) {
            open.put(login, password);
            writeDatabaseLogins(open);
            changed.add("db/app-logins");
        }
        String cachePassword = env.get(EnvFile.CACHE_SECRET).orElse("");
        List<String> passwords = new ArrayList<>(cachePasswords());
        if (!cachePassword.isEmpty() && !passwords.contains(cachePassword)) {
            passwords.add(cachePassword);
            writeCachePasswords(passwords);
            changed.add("cache/app-passwords");
        }
        if (writeIfChanged(superuserPassword, env.get(EnvFile.DB_SECRET).orElse(""))) {
            changed.add("db/superuser-password");
        }
        if (writeIfChanged(cacheOpsPassword, env.get(EnvFile.CACHE_OPS_SECRET).orElse(""))) {
            changed.add("cache/ops-password");
        }
        if (writeIfChanged(backupCipherPass, env.get(EnvFile.BACKUP_SECRET).orElse(""))) {
            changed.add("db/backup-cipher-pass");
        }
        if (writeIfChanged(
                dbSecrets.resolve("replication-password"),
                env.get(EnvFile.REPLICATION_SECRET).orElse(""))) {
            changed.add("db/replication-password");
        }
        return changed;
    }

    /**
     * Writes which db nodes the cluster has and whether each commit waits for one of the standbys; true when that
     * changed. The primary's health check reads it at each run: a change takes effect with no restart.
     */
    public boolean ensureReplication(List<String> nodes, boolean synchronous) {
        return writeIfChanged(
                dbSecrets.resolve("replication"),
                "NODES=\"" + String.join(" ", nodes) + "\"\nSYNC=" + (synchronous ? "on" : "off"));
    }

    /** Writes the off-host repository's credentials and CA certificate for the db service; returns what changed. */
    public List<String> ensureOffsite(OffsiteRepository repository) {
        List<String> changed = new ArrayList<>();
        if (writeIfChanged(dbSecrets.resolve("s3-key"), repository.key())) {
            changed.add("db/s3-key");
        }
        if (writeIfChanged(dbSecrets.resolve("s3-key-secret"), repository.keySecret())) {
            changed.add("db/s3-key-secret");
        }
        Path ca = dbSecrets.resolve("s3-ca.pem");
        String certificate = String.join(
                "\n",
                repository
                        .caCertificate()
                        .orElse("")
                        .lines()
                        .map(String::strip)
                        .filter(line -> !line.isEmpty())
                        .toList());
        if (!certificate.equals(String.join("\n", lines(ca)))) {
            write(ca, certificate.isEmpty() ? "" : certificate + "\n");
            changed.add("db/s3-ca.pem");
        }
        return changed;
    }

    private boolean writeIfChanged(Path file, String value) {
        if (value.isEmpty() || value.equals(String.join("\n", lines(file)))) {
            return false;
        }
        write(file, value + "\n");
        return true;
    }

    private static List<String> lines(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read " + file + ": " + e.getMessage(),
                    "check its owner and mode (stackctl writes it 0600 for the user that runs it)");
        }
    }

    private void write(Path file, String text) {
        try {
            for (Path dir : List.of(root, file.getParent())) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            // Created 0600 and renamed into place: a health check never reads half a file, nor a world-readable one.
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write " + file + ": " + e.getMessage(),
                    "check that " + file.getParent() + " is writable by the user that runs stackctl");
        }
    }
}
