package io.stackctl.taskmanager;

import io.stackctl.taskmanager.auth.AuthSettings;
import io.stackctl.taskmanager.cache.CacheSettings;
import io.stackctl.taskmanager.db.DatabaseSettings;
import io.stackctl.taskmanager.http.InjectedErrors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the task API is configured with, read once from the environment and validated at start.
 * A bad value stops the process with a message naming the variable, the value and what is allowed.
 */
public record AppConfig(
        int port,
        String instanceId,
        String dbHost,
        int dbPort,
        String dbName,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        String redisHost,
        int redisPort,
        String redisUser,
        String redisPassword,
        int cacheTtlSeconds,
        int requestLogEvery,
        int requestLogSlowMs,
        AuthSettings auth,
        String internalTlsCaFile,
        int redisTlsPort,
        boolean readsFromStandby,
        InjectedErrors injectedErrors) {

    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_DB_POOL_SIZE = 10;
    public static final int DEFAULT_CACHE_TTL_SECONDS = 60;
    public static final int MAX_DB_POOL_SIZE = 200;
    public static final int MAX_CACHE_TTL_SECONDS = 86_400;
    /** Log 1 in 100 ordinary requests, and every one at least 250 ms slow. */
    public static final int DEFAULT_REQUEST_LOG_EVERY = 100;

    public static final int DEFAULT_REQUEST_LOG_SLOW_MS = 250;

    /** Reads and validates the configuration; throws {@link IllegalArgumentException} naming the bad variable. */
    public static AppConfig fromEnvironment(Map<String, String> env) {
        var reader = new EnvReader(env);
        return new AppConfig(
                reader.integer("PORT", DEFAULT_PORT, 0, 65_535),
                reader.text("INSTANCE_ID", hostName()),
                hosts(reader.text("DB_HOST", "localhost")),
                reader.integer("DB_PORT", 5432, 1, 65_535),
                reader.text("DB_NAME", "taskmanager"),
                reader.text("DB_USER", "taskmanager"),
                reader.secret("DB_PASSWORD"),
                reader.integer("DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE, 1, MAX_DB_POOL_SIZE),
                reader.text("REDIS_HOST", "localhost"),
                reader.integer("REDIS_PORT", 6379, 1, 65_535),
                // Redis' own name for the user a bare password logs in as; the stack's app has a user of its own.
                reader.text("REDIS_USER", "default"),
                reader.secret("REDIS_PASSWORD"),
                reader.integer("CACHE_TTL_SECONDS", DEFAULT_CACHE_TTL_SECONDS, 1, MAX_CACHE_TTL_SECONDS),
                reader.integer("REQUEST_LOG_EVERY", DEFAULT_REQUEST_LOG_EVERY, 1, 1_000_000),
                reader.integer("REQUEST_LOG_SLOW_MS", DEFAULT_REQUEST_LOG_SLOW_MS, 0, 600_000),
                auth(reader),
                internalTlsCaFile(reader),
                // Redis serves TLS on a port of its own beside the plain one (compose/cache/start.sh).
                reader.integer("REDIS_TLS_PORT", 6380, 1, 65_535),
                onOff(reader, "READS_FROM_STANDBY"),
                // Empty is none: compose passes the variable whether compose/.env sets it or not.
                InjectedErrors.parse(reader.optional("INJECT_ERRORS")));
    }

    private static boolean onOff(EnvReader reader, String name) {
        String value = reader.text(name, "off");
        if (!value.equals("on") && !value.equals("off")) {
            throw new IllegalArgumentException(name + " must be 'on' or 'off', got '" + value + "'");
        }
        return value.equals("on");
    }

    /**
     * With {@code INTERNAL_TLS=on}, the CA certificate PostgreSQL's and Redis' certificates are checked against
     * ({@code INTERNAL_TLS_CA_FILE}); empty when off. A file that cannot be read stops the start here.
     */
    private static String internalTlsCaFile(EnvReader reader) {
        String mode = reader.text("INTERNAL_TLS", "off");
        if (mode.equals("off")) {
            return "";
        }
        if (!mode.equals("on")) {
            throw new IllegalArgumentException("INTERNAL_TLS must be 'on' or 'off', got '" + mode + "'");
        }
        String file = reader.text("INTERNAL_TLS_CA_FILE", "/run/stack-tls/ca.crt");
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException("INTERNAL_TLS=on, but INTERNAL_TLS_CA_FILE " + file
                    + " cannot be read: it must hold the CA certificate of PostgreSQL's and Redis' certificates"
                    + " (stackctl up writes compose/tls/trust/ca.crt)");
        }
        return file;
    }

    private static AuthSettings auth(EnvReader reader) {
        String mode = reader.text("AUTH_MODE", "required");
        if (!mode.equals("required") && !mode.equals("off")) {
            throw new IllegalArgumentException("AUTH_MODE must be 'required' or 'off', got '" + mode + "'");
        }
        boolean required = mode.equals("required");
        String secret = reader.secret("JWT_SECRET");
        if (required && secret.length() < AuthSettings.MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(("JWT_SECRET must be at least %d characters while AUTH_MODE=required,"
                            + " got %d; generate one with: openssl rand -hex 32")
                    .formatted(AuthSettings.MIN_SECRET_LENGTH, secret.length()));
        }
        String adminPassword = reader.secret("ADMIN_PASSWORD");
        if (!adminPassword.isEmpty() && adminPassword.length() < AuthSettings.MIN_ADMIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("ADMIN_PASSWORD must be at least %d characters, got %d"
                    .formatted(AuthSettings.MIN_ADMIN_PASSWORD_LENGTH, adminPassword.length()));
        }
        String opsToken = reader.secret("OPS_TOKEN");
        if (!opsToken.isEmpty() && opsToken.length() < AuthSettings.MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(
                    ("OPS_TOKEN must be at least %d characters, got %d; generate one with:" + " openssl rand -hex 32")
                            .formatted(AuthSettings.MIN_SECRET_LENGTH, opsToken.length()));
        }
        return new AuthSettings(
                required,
                // Off still signs nothing, but a key must exist for the verifier to be built.
                secret.isEmpty() ? "unused-while-auth-is-off-unused-while-auth-is-off" : secret,
                Duration.ofMinutes(reader.integer("JWT_TTL_MINUTES", AuthSettings.DEFAULT_TTL_MINUTES, 1, 1440)),
                Duration.ofSeconds(
                        reader.integer("JWT_CLOCK_SKEW_SECONDS", AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS, 0, 300)),
                reader.text("ADMIN_USERNAME", "admin"),
                adminPassword,
                reader.integer("RATE_LIMIT_PER_USER", AuthSettings.DEFAULT_REQUESTS_PER_SECOND, 0, 1_000_000),
                reader.integer("LOGIN_ATTEMPTS_PER_MINUTE", AuthSettings.DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE, 1, 10_000),
                opsToken,
                reader.text("JWT_KEYS_FILE", ""));
    }

    /** How long pgjdbc trusts what it learnt of a host's role (primary or standby). */
    static final int HOST_RECHECK_SECONDS = 2;

    /** DB_HOST: one host or a comma-separated list, none of them empty. */
    static String hosts(String value) {
        for (String host : value.split(",", -1)) {
            if (host.isBlank() || host.strip().contains(" ") || host.contains(":")) {
                throw new IllegalArgumentException("DB_HOST must be host names separated by commas (the port is"
                        + " DB_PORT), got '" + value + "'");
            }
        }
        return value.strip();
    }

    /**
     * With internal TLS, the server's certificate must come from the stack's CA and name the host (verify-full). With
     * several hosts (DB_HOST=db,db-standby: a primary and its standby, either of which a failover may make the
     * primary), pgjdbc connects to whichever one is the primary now, and remembers each host's role for a couple of
     * seconds only, so a new connection finds a new primary at once.
     */
    public String jdbcUrl() {
        return jdbcUrl("primary");
    }

    /**
     * Where list reads may go with READS_FROM_STANDBY=on: a standby among the hosts (pgjdbc's "secondary"); empty
     * when off or with a single host, which has no standby.
     */
    public String standbyJdbcUrl() {
        return readsFromStandby && dbHost.contains(",") ? jdbcUrl("secondary") : "";
    }

    private String jdbcUrl(String targetServerType) {
        var hosts = java.util.Arrays.stream(dbHost.split(","))
                .map(String::strip)
                .map(host -> host + ":" + dbPort)
                .toList();
        var parameters = new java.util.ArrayList<String>();
        if (hosts.size() > 1) {
            parameters.add("targetServerType=" + targetServerType);
            parameters.add("hostRecheckSeconds=" + HOST_RECHECK_SECONDS);
        }
        if (!internalTlsCaFile.isEmpty()) {
            parameters.add("sslmode=verify-full");
            parameters.add("sslrootcert=" + URLEncoder.encode(internalTlsCaFile, StandardCharsets.UTF_8));
        }
        return "jdbc:postgresql://" + String.join(",", hosts) + "/" + dbName
                + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters));
    }

    public DatabaseSettings database() {
        return new DatabaseSettings(instanceId, jdbcUrl(), dbUser, dbPassword, dbPoolSize, standbyJdbcUrl());
    }

    public CacheSettings cache() {
        return new CacheSettings(
                instanceId,
                redisHost,
                internalTlsCaFile.isEmpty() ? redisPort : redisTlsPort,
                redisUser,
                redisPassword,
                cacheTtlSeconds,
                internalTlsCaFile);
    }

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return ("AppConfig[port=%d, instance=%s, db=%s@%s:%d/%s pool=%d, redis=%s@%s:%d, internalTls=%s,"
                        + " cacheTtl=%ds, requestLog=errors+slow>=%dms+1/%d, auth=%s]")
                .formatted(
                        port,
                        instanceId,
                        dbUser,
                        dbHost,
                        dbPort,
                        dbName,
                        dbPoolSize,
                        redisUser,
                        redisHost,
                        redisPort,
                        internalTlsCaFile.isEmpty() ? "off" : "verify against " + internalTlsCaFile,
                        cacheTtlSeconds,
                        requestLogSlowMs,
                        requestLogEvery,
                        auth);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    private record EnvReader(Map<String, String> env) {

        /**
         * A secret from {@code NAME}, or from the file {@code NAME_FILE} names (a Docker or Kubernetes secret, so the
         * value never sits in the environment); its trailing line break is not part of it.
         */
        String secret(String name) {
            String file = env.get(name + "_FILE");
            if (file == null || file.isBlank()) {
                return optional(name);
            }
            if (env.containsKey(name)) {
                throw new IllegalArgumentException(
                        "both " + name + " and " + name + "_FILE are set; keep only one of them");
            }
            try {
                return Files.readString(Path.of(file.strip())).stripTrailing();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(
                        name + "_FILE names " + file.strip() + ", which cannot be read (" + e.getMessage() + ")");
            }
        }

        String optional(String name) {
            String value = env.get(name);
            return value == null ? "" : value;
        }

        String text(String name, String fallback) {
            String value = env.get(name);
            if (value == null) {
                return fallback;
            }
            if (value.isBlank()) {
                throw new IllegalArgumentException(
                        name + " is set but empty; unset it to use the default '" + fallback + "' or give it a value");
            }
            return value.strip();
        }

        int integer(String name, int fallback, int min, int max) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.strip());
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below with the allowed range
            }
            throw new IllegalArgumentException(
                    "%s must be a whole number from %d to %d, got '%s'".formatted(name, min, max, value));
        }
    }
}
