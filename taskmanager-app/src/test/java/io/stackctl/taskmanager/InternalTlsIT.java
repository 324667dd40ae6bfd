package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.taskmanager.cache.CaTrust;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * TLS inside the stack (STACK_INTERNAL_TLS=on), with the stack's own compose/db/start.sh and compose/cache/start.sh:
 * the app reaches PostgreSQL with sslmode=verify-full and Redis on its TLS port, both checked against the CA it is
 * given; a certificate from another CA, or for another name, is refused; the TLS port answers nothing in plain text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InternalTlsIT {

    private static final String INSTANCE = "it-internal-tls";

    private Path folder;
    private PostgreSQLContainer db;
    private GenericContainer<?> redis;
    private TaskManagerApp app;
    private Path caFile;
    private Path otherCaFile;
    /** The host the containers answer on, which their certificate names, and another name for the same host. */
    private String host;

    private String otherName;

    @BeforeAll
    void start() throws Exception {
        Containers.assumeDocker();
        folder = Files.createTempDirectory("internal-tls");
        host = DockerClientFactory.instance().dockerHostIpAddress();
        otherName = host.equals("localhost") ? "127.0.0.1" : "localhost";
        var certificate = TestCertificate.selfSigned(host);
        caFile = certificate.certificateFile(folder);
        otherCaFile = TestCertificate.selfSigned(host).certificateFile(folder);
        db = Containers.postgresWithTls(certificate);
        redis = Containers.redisWithTls(certificate);
        db.start();
        redis.start();
        app = TaskManagerApp.start(
                Containers.appConfig(INSTANCE, db, Containers.DB_NAME, redis, Containers.auth(0), caFile.toString()));
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.stop();
        }
        if (db != null) {
            db.stop();
        }
        if (folder != null) {
            try (var files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(folder);
        }
    }

    private String jdbcUrl(String hostName, Path ca) {
        return "jdbc:postgresql://" + hostName + ":" + db.getMappedPort(5432) + "/" + Containers.DB_NAME
                + "?sslmode=verify-full&sslrootcert=" + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8);
    }

    private Jedis redisOverTls(String hostName, Path ca) {
        var jedis = new Jedis(
                new HostAndPort(hostName, redis.getMappedPort(6380)),
                DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(CaTrust.socketFactory(ca.toString()))
                        .sslParameters(CaTrust.checkingHostName())
                        .user(Containers.REDIS_USER)
                        .password(Containers.REDIS_PASSWORD)
                        .build());
        jedis.ping();
        return jedis;
    }

    @Test
    void theAppServesWithEveryDatabaseSessionEncryptedAndTheCacheUpOverTls() throws Exception {
        var api = new Api(app.port()).registerAndLogin("tls-user");
        assertThat(api.post("/tasks", "{\"title\":\"over TLS\"}").statusCode()).isEqualTo(201);
        assertThat(api.get("/tasks?limit=5").statusCode()).isEqualTo(200);
        var ops = new Api(app.port()).withToken(Containers.OPS_TOKEN);
        assertThat(ops.get("/cache/stats").body())
                .as("the app's Redis, over TLS")
                .contains("\"status\":\"up\"");

        try (var superuser = DriverManager.getConnection(db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD)) {
            var rows = superuser
                    .createStatement()
                    .executeQuery(
                            "SELECT count(*), count(*) FILTER (WHERE s.ssl AND s.version IN ('TLSv1.2', 'TLSv1.3'))"
                                    + " FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                                    + " WHERE a.application_name = 'taskmanager-" + INSTANCE + "'");
            rows.next();
            assertThat(rows.getInt(1)).as("the app's database sessions").isPositive();
            assertThat(rows.getInt(2)).as("of them over TLS 1.2 or 1.3").isEqualTo(rows.getInt(1));
        }
    }

    @Test
    void aCertificateFromAnotherCaOrForAnotherNameIsRefused() throws Exception {
        try (var connection = DriverManager.getConnection(
                jdbcUrl(host, caFile), Containers.APP_DB_USER, Containers.APP_DB_PASSWORD)) {
            assertThat(connection.isValid(2))
                    .as("the stack's CA and the name it certifies")
                    .isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection(
                                jdbcUrl(host, otherCaFile), Containers.APP_DB_USER, Containers.APP_DB_PASSWORD)
                        .close())
                .as("PostgreSQL's certificate checked against another CA")
                .isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(
                                jdbcUrl(otherName, caFile), Containers.APP_DB_USER, Containers.APP_DB_PASSWORD)
                        .close())
                .as("PostgreSQL reached as %s, a name its certificate does not hold", otherName)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(otherName);

        try (var jedis = redisOverTls(host, caFile)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        assertThatThrownBy(() -> redisOverTls(host, otherCaFile).close())
                .as("Redis' certificate checked against another CA")
                .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
        assertThatThrownBy(() -> redisOverTls(otherName, caFile).close())
                .as("Redis reached as %s, a name its certificate does not hold", otherName)
                .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
    }

    @Test
    void redisTlsPortAnswersNothingInPlainText() {
        assertThatThrownBy(() -> {
                    try (var plain = new Jedis(
                            new HostAndPort(host, redis.getMappedPort(6380)),
                            DefaultJedisClientConfig.builder()
                                    .user(Containers.REDIS_USER)
                                    .password(Containers.REDIS_PASSWORD)
                                    .socketTimeoutMillis(2_000)
                                    .build())) {
                        plain.ping();
                    }
                })
                .as("a client without TLS on the TLS port")
                .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
    }
}
