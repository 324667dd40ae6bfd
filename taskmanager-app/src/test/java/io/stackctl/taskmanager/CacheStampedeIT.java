package io.stackctl.taskmanager;

import static io.stackctl.taskmanager.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * Many requests missing the cache for one answer at once (the moment a popular list expires) cost one database
 * read, not one each, and none answers 503; Redis connections are pooled, not made per request. The sharing rules
 * themselves (a read begun after a write never shares one begun before it) are held by TaskServiceFlightIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheStampedeIT {

    private static final int CALLERS = 48;
    private static final int TASKS = 1000;
    private static final Pattern LOADS = Pattern.compile("(?m)^cache_loads_total (\\S+)$");

    private TestStack stack;
    private ExecutorService callers;

    @BeforeAll
    void startStack() throws SQLException {
        stack = TestStack.start("it-stampede", 0, 0);
        callers = Executors.newFixedThreadPool(CALLERS);
        // A list of 1000: the answer whose expiry answered 503s when every request went to PostgreSQL for it.
        try (var jdbc = DriverManager.getConnection(stack.db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
                var insert = jdbc.prepareStatement("INSERT INTO tasks (title, owner_id)"
                        + " SELECT 'stampede ' || n, (SELECT id FROM users WHERE username = 'tester')"
                        + " FROM generate_series(1, ?) AS n")) {
            insert.setInt(1, TASKS);
            insert.executeUpdate();
        }
    }

    @AfterAll
    void stopStack() throws InterruptedException {
        if (callers != null) {
            callers.shutdownNow();
            callers.awaitTermination(30, TimeUnit.SECONDS);
        }
        TestStack.close(stack);
    }

    private double databaseReads() {
        var matcher = LOADS.matcher(stack.ops.get("/metrics").body());
        assertThat(matcher.find()).as("/metrics names cache_loads_total").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    /** CALLERS requests for {@code path} released together, on an emptied cache; their answers. */
    private List<HttpResponse<String>> allAtOnce(String path) throws Exception {
        assertThat(stack.ops.post("/cache/clear", null).statusCode()).isEqualTo(200);
        var barrier = new CyclicBarrier(CALLERS);
        List<Future<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            pending.add(callers.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                return stack.api.get(path);
            }));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (var answer : pending) {
            answers.add(answer.get(60, TimeUnit.SECONDS));
        }
        return answers;
    }

    @Test
    void concurrentMissesOfOneListShareOneDatabaseRead() throws Exception {
        double before = databaseReads();
        var answers = allAtOnce("/tasks?limit=" + TASKS);
        double reads = databaseReads() - before;

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(json(answer).get("count").asInt()).isEqualTo(TASKS);
        });
        // One read, unless storing the answer in Redis timed out under this load (then the next miss reads again).
        assertThat(reads)
                .as("database reads for %d concurrent misses of one list", CALLERS)
                .isBetween(1.0, 3.0);
    }

    @Test
    void redisConnectionsArePooledAndOpenWithoutAWarningEach() throws Exception {
        var jedisLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("redis.clients.jedis");
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        jedisLog.addAppender(logged);
        try {
            allAtOnce("/tasks?limit=10"); // the pool holds a connection for each concurrent request
            try (var redis = redis()) {
                // Every connection the replica holds is cut: the next requests open new ones.
                redis.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "normal", "SKIPME", "yes");
            }
            // The first calls meet dead connections (503 for a clear, which needs Redis) until the pool has new ones.
            Eventually.within(
                    Duration.ofSeconds(5),
                    "the cache answers again after its connections were cut",
                    () -> stack.ops.post("/cache/clear", null).statusCode() == 200);
            allAtOnce("/tasks?limit=10");
            var before = redisClients();
            for (int round = 0; round < 3; round++) {
                assertThat(allAtOnce("/tasks?limit=10"))
                        .allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(200));
            }
            var after = redisClients();
            // A round with more requests at once than any before may open connections, and keeps them (connected
            // grows as much). Churn is a connection opened and closed again: received grows, connected does not.
            long churned = (after.received() - before.received()) - (after.connected() - before.connected());
            assertThat(churned)
                    .as(
                            "Redis connections opened and closed again over three rounds of %d concurrent requests"
                                    + " (received %d -> %d, connected %d -> %d)",
                            CALLERS, before.received(), after.received(), before.connected(), after.connected())
                    .isLessThanOrEqualTo(1); // the INFO connection of this test's second look
        } finally {
            jedisLog.detachAppender(logged);
        }
        assertThat(logged.list)
                .as("what Jedis logged while the replica opened its connections again")
                .noneMatch(event -> event.getFormattedMessage().contains("RESP3"));
    }

    private Jedis redis() {
        var redis = new Jedis(stack.redis.getHost(), stack.redis.getMappedPort(6379));
        redis.auth(Containers.REDIS_PASSWORD);
        return redis;
    }

    /** Connections Redis accepted since it started, and those open now (this one included, in both looks). */
    private record Clients(long received, long connected) {}

    private Clients redisClients() {
        try (var redis = redis()) {
            String info = redis.info("stats") + redis.info("clients");
            return new Clients(field(info, "total_connections_received"), field(info, "connected_clients"));
        }
    }

    private static long field(String info, String name) {
        return info.lines()
                .filter(line -> line.startsWith(name + ":"))
                .map(line ->
                        Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                .findFirst()
                .orElseThrow();
    }
}
