package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.stackctl.taskmanager.auth.AuthSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;

/**
 * Real PostgreSQL and Redis for integration tests. Image names come from {@code POSTGRES_IMAGE} and
 * {@code REDIS_IMAGE} (as in the stack), so an air-gapped host uses its locally built stand-ins.
 */
public final class Containers {

    public static final String POSTGRES_IMAGE = env("POSTGRES_IMAGE", "postgres:15");
    public static final String REDIS_IMAGE = env("REDIS_IMAGE", "redis:7");
    public static final String DB_NAME = "taskmanager";
    /** The superuser, as in the stack: for a test's own setup and inspection, never for the app. */
    public static final String DB_USER = "taskmanager";

    public static final String DB_PASSWORD = "it-db-secret";
    /** The app's role, as compose/db/ensure-roles.sh makes it: owner of the public schema and nothing else. */
    public static final String APP_DB_USER = "taskmanager_app";

    public static final String APP_DB_PASSWORD = "it-app-db-secret";
    /** The app's Redis ACL user, as compose/cache/start.sh makes it. */
    public static final String REDIS_USER = "taskmanager_app";

    public static final String REDIS_PASSWORD = "it-redis-secret";
    public static final String REDIS_OPS_PASSWORD = "it-redis-ops-secret";
    public static final String JWT_SECRET = "it-jwt-secret-it-jwt-secret-it-jwt-secret";
    public static final String ADMIN_PASSWORD = "it-admin-password";
    public static final String OPS_TOKEN = "it-ops-token-it-ops-token-it-ops-token";

    /** Authentication as the stack runs it, with the admin account and the given per-user limit (0: none). */
    public static AuthSettings auth(int requestsPerSecond) {
        return new AuthSettings(
                true,
                JWT_SECRET,
                Duration.ofMinutes(AuthSettings.DEFAULT_TTL_MINUTES),
                Duration.ofSeconds(AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS),
                "admin",
                ADMIN_PASSWORD,
                requestsPerSecond,
                AuthSettings.DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE,
                OPS_TOKEN);
    }

    private Containers() {}

    /** Skips (never fails) the calling test class when no Docker engine answers. */
    public static void assumeDocker() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
        }
        Assumptions.assumeTrue(available, "no Docker engine reachable: container tests skipped");
    }

    /**
     * @param hostPort 0 for a random port; a fixed one for tests that stop and start the container, which
     *     must come back on the same port
     */
    public static PostgreSQLContainer postgres(int hostPort) {
        var container = new StackPostgres()
                .withDatabaseName(DB_NAME)
                .withUsername(DB_USER)
                .withPassword(DB_PASSWORD);
        if (hostPort > 0) {
            container.setPortBindings(List.of(hostPort + ":5432"));
        }
        return container;
    }

    @SuppressWarnings("resource")
    public static GenericContainer<?> redis(int hostPort) {
        // The stack's own start script: the same ACL users, and Redis' default user off.
        var container = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
                .withEnv("REDIS_APP_PASSWORD", REDIS_PASSWORD)
                // As compose gives it: a file (compose/secrets/cache/ops-password), not the environment.
                .withEnv("REDIS_OPS_PASSWORD_FILE", "/run/stack-secrets/ops-password")
                .withCopyToContainer(
                        Transferable.of(REDIS_OPS_PASSWORD + "\n", 0600), "/run/stack-secrets/ops-password")
                .withCopyFileToContainer(MountableFile.forHostPath(repoRoot().resolve("compose/cache")), "/stack/cache")
                .withCommand("sh", "/stack/cache/start.sh", "--appendonly", "yes")
                .withExposedPorts(6379)
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
        if (hostPort > 0) {
            container.setPortBindings(List.of(hostPort + ":6379"));
        }
        return container;
    }

    /**
     * The stack's db, serving TLS with {@code certificate} beside plain connections, as compose/db/start.sh does
     * (the certificate and key where compose/tls/db is mounted).
     */
    public static PostgreSQLContainer postgresWithTls(TestCertificate certificate) {
        var container = postgres(0);
        container
                .withCopyFileToContainer(MountableFile.forHostPath(repoRoot().resolve("compose/db")), "/stack/db")
                .withCopyToContainer(Transferable.of(certificate.certificatePem()), "/stack/tls/server.crt")
                .withCopyToContainer(
                        Transferable.of(certificate.keyPem().getBytes(StandardCharsets.US_ASCII), 0600),
                        "/stack/tls/server.key")
                .withCommand("bash", "/stack/db/start.sh", "-c", "fsync=off");
        return container;
    }

    /** The stack's Redis serving TLS on 6380 with {@code certificate} beside 6379, as compose/cache/start.sh does. */
    public static GenericContainer<?> redisWithTls(TestCertificate certificate) {
        return redis(0).withExposedPorts(6379, 6380)
                .withCopyToContainer(Transferable.of(certificate.certificatePem()), "/stack/tls/server.crt")
                .withCopyToContainer(Transferable.of(certificate.certificatePem()), "/stack/tls/ca.crt")
                .withCopyToContainer(
                        Transferable.of(certificate.keyPem().getBytes(StandardCharsets.US_ASCII), 0600),
                        "/stack/tls/server.key");
    }

    /** Each test app's connections to PostgreSQL. */
    public static final int DB_POOL_SIZE = 5;

    public static AppConfig appConfig(String instance, PostgreSQLContainer db, GenericContainer<?> redis) {
        return appConfig(instance, db, DB_NAME, redis);
    }

    public static AppConfig appConfig(
            String instance, PostgreSQLContainer db, String dbName, GenericContainer<?> redis) {
        // No per-user limit: these tests send a few hundred requests a second as one user, which the default limit
        // of 100 would answer 429 (it did once in CI). AuthIT tests the limit with apps of their own.
        return appConfig(instance, db, dbName, redis, auth(0));
    }

    public static AppConfig appConfig(
            String instance, PostgreSQLContainer db, String dbName, GenericContainer<?> redis, AuthSettings auth) {
        return appConfig(instance, db, dbName, redis, auth, "");
    }

    /** With {@code internalTlsCaFile}, to PostgreSQL with verify-full and to Redis over TLS against that CA. */
    public static AppConfig appConfig(
            String instance,
            PostgreSQLContainer db,
            String dbName,
            GenericContainer<?> redis,
            AuthSettings auth,
            String internalTlsCaFile) {
        return new AppConfig(
                0,
                instance,
                db.getHost(),
                db.getMappedPort(5432),
                dbName,
                APP_DB_USER,
                APP_DB_PASSWORD,
                DB_POOL_SIZE,
                redis.getHost(),
                redis.getMappedPort(6379),
                REDIS_USER,
                REDIS_PASSWORD,
                60,
                1,
                250,
                auth,
                internalTlsCaFile,
                internalTlsCaFile.isEmpty() ? 6380 : redis.getMappedPort(6380),
                false,
                null);
    }

    public static void stop(GenericContainer<?> container) {
        DockerClientFactory.instance()
                .client()
                .stopContainerCmd(container.getContainerId())
                .withTimeout(5)
                .exec();
    }

    public static void start(GenericContainer<?> container) {
        DockerClientFactory.instance()
                .client()
                .startContainerCmd(container.getContainerId())
                .exec();
    }

    public static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port", e);
        }
    }

    /** A connection to {@code redis} as the app's ACL user. */
    public static Jedis jedis(GenericContainer<?> redis) {
        return login(redis, REDIS_USER, REDIS_PASSWORD);
    }

    /** A connection as the operations user (PING, INFO, CLIENT LIST and KILL; no key). */
    public static Jedis jedisAsOps(GenericContainer<?> redis) {
        return login(redis, "stackctl_ops", REDIS_OPS_PASSWORD);
    }

    /** A connection as {@code user} with {@code password}; AUTH's refusal is thrown. */
    static Jedis login(GenericContainer<?> redis, String user, String password) {
        var jedis = new Jedis(redis.getHost(), redis.getMappedPort(6379));
        try {
            jedis.auth(user, password);
        } catch (RuntimeException e) {
            jedis.close();
            throw e;
        }
        return jedis;
    }

    /** The keys matching {@code pattern}, by SCAN: KEYS is refused to the app's user, as a dangerous command. */
    public static List<String> keys(Jedis jedis, String pattern) {
        List<String> keys = new java.util.ArrayList<>();
        var params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page = jedis.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    /**
     * Makes {@code database} the app's as the stack's db service does, with the stack's own script (it runs as the
     * db service's healthcheck): the app role owns its public schema, and stackctl's role exists.
     */
    public static void ensureRoles(PostgreSQLContainer db, String database) {
        try {
            var run = db.execInContainer("env", "POSTGRES_DB=" + database, "bash", StackPostgres.ROLES_SCRIPT);
            if (run.getExitCode() != 0) {
                throw new IllegalStateException("compose/db/ensure-roles.sh failed for " + database + " (exit "
                        + run.getExitCode() + "): " + run.getStdout() + run.getStderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Holds {@code lockFile} in {@code container} for 2 s, runs {@code script} (a shell command line) meanwhile, and
     * checks that it succeeded and ended only after the holder let go: the script waits for a run in flight.
     */
    public static void assertRunWaitsForItsLock(GenericContainer<?> container, String lockFile, String script)
            throws Exception {
        var holder = container.execInContainer(
                "sh",
                "-c",
                "setsid flock " + lockFile + " sh -c 'touch /tmp/held; sleep 2; date +%s%N >/tmp/released'"
                        + " </dev/null >/dev/null 2>&1 &"
                        + " for i in $(seq 50); do [ -e /tmp/held ] && exit 0; sleep 0.1; done; exit 1");
        assertThat(holder.getExitCode()).as("the holder took the lock").isZero();
        var run = container.execInContainer("sh", "-c", script + " && date +%s%N");
        assertThat(run.getExitCode()).as(run.getStderr()).isZero();
        long released = Long.parseLong(container
                .execInContainer(
                        "sh",
                        "-c",
                        "for i in $(seq 50); do [ -s /tmp/released ] && break; sleep 0.1; done; cat /tmp/released")
                .getStdout()
                .strip());
        String[] lines = run.getStdout().strip().split("\n");
        assertThat(Long.parseLong(lines[lines.length - 1].strip()))
                .as("the run ended after the holder let go")
                .isGreaterThan(released);
        container.execInContainer("rm", "-f", "/tmp/held", "/tmp/released");
    }

    /** The repository's root (where compose/ is), from the module's folder the tests run in. */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("compose/compose.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no compose/compose.yaml above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** PostgreSQL with the stack's roles made as soon as it answers, before any app connects. */
    static final class StackPostgres extends PostgreSQLContainer {

        static final String ROLES_SCRIPT = "/stack/db/ensure-roles.sh";

        StackPostgres() {
            super(DockerImageName.parse(POSTGRES_IMAGE).asCompatibleSubstituteFor("postgres"));
            withEnv("APP_DB_PASSWORD", APP_DB_PASSWORD);
            withCopyFileToContainer(
                    MountableFile.forHostPath(repoRoot().resolve("compose/db/ensure-roles.sh")), ROLES_SCRIPT);
        }

        @Override
        protected void containerIsStarted(InspectContainerResponse containerInfo) {
            super.containerIsStarted(containerInfo);
            ensureRoles(this, getDatabaseName());
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
