package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code compose/.env}: the stack's secrets and settings. Created with random secrets on the first {@code up},
 * readable only by its owner, written atomically, never committed (it is git-ignored).
 */
public final class EnvFile {

    /** The database superuser's, which no service uses: the script that makes the roles, and an operator. */
    public static final String DB_SECRET = "POSTGRES_PASSWORD";
    /** The app's database role, which owns its schema and nothing else; the db service sets it on the role. */
    public static final String APP_DB_SECRET = "APP_DB_PASSWORD";

    /**
     * Which of the app's two database logins its replicas use (taskmanager_app when unset); {@code secrets rotate db}
     * moves it to the other one, with a new {@link #APP_DB_SECRET}. Not a secret, but it goes with one: a release's
     * saved settings leave it out as they leave out the password, so a rollback runs today's login.
     */
    public static final String APP_DB_LOGIN = "APP_DB_USER";

    /** The app's Redis ACL user's (taskmanager_app). */
    public static final String CACHE_SECRET = "REDIS_PASSWORD";
    /** The Redis ACL user of health checks and drills (stackctl_ops: PING and INFO, no key). */
    public static final String CACHE_OPS_SECRET = "REDIS_OPS_PASSWORD";
    /** Signs the API's tokens; every replica shares it, so a token from one is good at all. */
    public static final String TOKEN_SECRET = "JWT_SECRET";
    /** The API's admin account. */
    public static final String ADMIN_SECRET = "ADMIN_PASSWORD";
    /**
     * stackctl's own credential: operator routes, and the API as the admin account, with no login, so a flood of
     * failed logins cannot lock out drills, bench or the deploy watch.
     */
    public static final String OPS_SECRET = "OPS_TOKEN";

    /**
     * pgBackRest's repository cipher (AES-256): the backups and archived WAL are unreadable without it. Never rotated
     * by stackctl, since the repository's files stay encrypted with it: keep a copy of compose/.env off this host.
     */
    public static final String BACKUP_SECRET = "BACKUP_CIPHER_PASS";

    /**
     * The monitoring profile's database login (stackctl_monitor: pg_monitor, nothing else), which the PostgreSQL
     * exporter uses; open only while the profile is on.
     */
    public static final String MONITOR_DB_SECRET = "MONITOR_DB_PASSWORD";

    /** The db nodes' replication login (stackctl_replication): a standby streams with it, pg_rewind reads with it. */
    public static final String REPLICATION_SECRET = "REPLICATION_PASSWORD";

    private static final String[] SECRETS = {
        DB_SECRET,
        APP_DB_SECRET,
        CACHE_SECRET,
        CACHE_OPS_SECRET,
        TOKEN_SECRET,
        ADMIN_SECRET,
        OPS_SECRET,
        BACKUP_SECRET,
        MONITOR_DB_SECRET,
        REPLICATION_SECRET
    };

    private final Path path;
    private final Map<String, String> values;

    private EnvFile(Path path, Map<String, String> values) {
        this.path = path;
        this.values = values;
    }

    public static EnvFile load(Path path) {
        Map<String, String> values = new LinkedHashMap<>();
        if (Files.isRegularFile(path)) {
            try {
                for (String line : Files.readAllLines(path)) {
                    String trimmed = line.strip();
                    int equals = trimmed.indexOf('=');
                    if (!trimmed.startsWith("#") && equals > 0) {
                        values.put(
                                trimmed.substring(0, equals).strip(),
                                trimmed.substring(equals + 1).strip());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
        return new EnvFile(path, values);
    }

    public boolean exists() {
        return Files.isRegularFile(path);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    /** Adds random secrets that are missing (also to a file from before a secret existed); returns which. */
    public java.util.List<String> ensureSecrets() {
        var added = new java.util.ArrayList<String>();
        for (String key : SECRETS) {
            if (get(key).isEmpty()) {
                values.put(key, isKey(key) ? randomSecret(32) : randomSecret(24));
                added.add(key);
            }
        }
        return added;
    }

    /**
     * The stack's secrets as this file sets them (the ones it sets), with the app's database login and the folder of
     * the app's secret files ({@link AppSecretFiles}), which change with them.
     */
    public Map<String, String> secrets() {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String key : SECRETS) {
            get(key).ifPresent(value -> secrets.put(key, value));
        }
        secrets.put(APP_DB_LOGIN, appDatabaseLogin());
        get(AppSecretFiles.ID_VARIABLE).ifPresent(id -> secrets.put(AppSecretFiles.ID_VARIABLE, id));
        return secrets;
    }

    /** The database login the app's replicas use, as {@link #APP_DB_LOGIN} names it. */
    public String appDatabaseLogin() {
        return get(APP_DB_LOGIN).orElse(CredentialFiles.FIRST_LOGIN);
    }

    /**
     * {@code text} (an env file's) without the secrets' lines: what a release keeps of its settings, so no copy of a
     * secret piles up in the history and a rollback runs with today's secrets, never a rotated one.
     */
    public static String withoutSecrets(String text) {
        var kept = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            int equals = line.indexOf('=');
            String key = equals > 0 ? line.substring(0, equals).strip() : "";
            if (!java.util.Arrays.asList(SECRETS).contains(key)
                    && !key.equals(APP_DB_LOGIN)
                    && !key.equals(AppSecretFiles.ID_VARIABLE)) {
                kept.append(line).append('\n');
            }
        }
        return kept.substring(0, Math.max(0, kept.length() - 1));
    }

    /** Keys and tokens, as opposed to passwords: the app refuses to start with one shorter than 32 characters. */
    private static boolean isKey(String key) {
        return key.equals(TOKEN_SECRET) || key.equals(OPS_SECRET) || key.equals(BACKUP_SECRET);
    }

    /** The API's token signing key must be at least this long (the app refuses to start with less). */
    public static final int MIN_TOKEN_SECRET_LENGTH = 32;

    /** Shorter than this, a password is guessable offline; the generated ones have 48 hex digits. */
    public static final int MIN_SECRET_LENGTH = 16;

    private static final java.util.Set<String> KNOWN_WEAK = java.util.Set.of(
            "change-me", "changeme", "password", "postgres", "redis", "secret", "taskmanager", "admin");

    /** The secrets that are set but weak (a placeholder such as .env.example's change-me, or too short), with why. */
    public java.util.List<String> weakSecrets() {
        java.util.List<String> weak = new java.util.ArrayList<>();
        for (String key : SECRETS) {
            int minimum = isKey(key) ? MIN_TOKEN_SECRET_LENGTH : MIN_SECRET_LENGTH;
            get(key).ifPresent(value -> {
                if (KNOWN_WEAK.contains(value.toLowerCase(java.util.Locale.ROOT))) {
                    weak.add(key + " is the placeholder '" + value + "'");
                } else if (value.length() < minimum) {
                    weak.add(key + " has " + value.length() + " characters (at least " + minimum + ")");
                }
            });
        }
        return weak;
    }

    /** What to do about {@link #weakSecrets()}: a new stack takes any value; a database keeps its first one. */
    public static String weakSecretsHint(Path envFile) {
        return "put a long random value in " + envFile + " (openssl rand -hex 24), or delete the line and stackctl"
                + " up writes one; a stack with data keeps the superuser's PostgreSQL password (" + DB_SECRET
                + ") it was created with, so change that one there first (ALTER ROLE taskmanager PASSWORD ...)";
    }

    public void put(String key, String value) {
        values.put(key, value);
    }

    public void save() {
        var text = new StringBuilder("# Written by stackctl. Secrets: keep this file private and out of git.\n");
        values.forEach(
                (key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            // Owner-only, flushed, renamed, folder flushed: a power cut leaves the old file or the new one.
            AtomicFiles.writeString(path, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    public static String randomSecret(int byteCount) {
        byte[] bytes = new byte[byteCount];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
