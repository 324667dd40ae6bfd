package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every connection to PostgreSQL and Redis opened again under load (what SIGHUP does: a drill's proxy put in the path
 * must carry the connections the pools already hold): no request fails, and none of the old sessions is left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconnectIT {

    private static final String INSTANCE = "it-reconnect";

    private TestStack stack;

    @BeforeAll
    void startStack() {
        stack = TestStack.start(INSTANCE, 0, 0);
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    @Test
    void reconnectingUnderLoadFailsNoRequestAndLeavesNoOldSession() throws Exception {
        long seeded = stack.api.create("read while the pool changes");
        var stop = new AtomicBoolean();
        var failures = new ConcurrentLinkedQueue<String>();
        var answered = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int client = i;
            var thread = new Thread(() -> {
                int n = 0;
                while (!stop.get()) {
                    var response = n++ % 2 == 0
                            ? stack.api.post("/tasks", "{\"title\":\"reconnect " + client + "-" + n + "\"}")
                            : stack.api.get("/tasks?limit=5");
                    if (response.statusCode() >= 300) {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                    answered.incrementAndGet();
                }
            });
            thread.start();
            clients.add(thread);
        }
        Thread.sleep(1_000);
        Set<Integer> before = appSessions();
        Set<String> cacheBefore = cacheClients();
        int answeredBefore = answered.get();

        var handover = stack.app.reconnect().database();

        Thread.sleep(1_000);
        stop.set(true);
        for (Thread client : clients) {
            client.join();
        }
        Set<Integer> after = appSessions();
        Set<String> cacheAfter = cacheClients();
        assertThat(handover.done()).as("the new pool took over").isTrue();
        assertThat(before).as("sessions before").isNotEmpty();
        assertThat(after).as("sessions after").isNotEmpty().doesNotContainAnyElementsOf(before);
        // The whole pool, opened before it took over: a connection opened on demand is opened while a request waits,
        // and through a slow route that took longer than a request may wait (drill db-latency's 503s).
        assertThat(handover.connections()).as("connections the new pool opened").isEqualTo(Containers.DB_POOL_SIZE);
        assertThat(after).as("sessions after").hasSize(Containers.DB_POOL_SIZE);
        assertThat(cacheBefore).as("Redis clients before").isNotEmpty();
        assertThat(cacheAfter).as("Redis clients after").isNotEmpty().doesNotContainAnyElementsOf(cacheBefore);
        assertThat(failures).as("requests that failed while the pools changed").isEmpty();
        assertThat(answered.get())
                .as("requests answered after the handover began")
                .isGreaterThan(answeredBefore);
        assertThat(stack.api.get("/tasks/" + seeded).statusCode()).isEqualTo(200);
    }

    /**
     * The new Redis pool opens what the old one held before it takes over: a pool that connected on demand made the
     * first requests after a SIGHUP wait for TCP, AUTH and SETNAME (drill db-latency's slowest cached reads).
     */
    @Test
    void cacheReconnectOpensTheConnectionsTheOldPoolHeldBeforeItTakesOver() throws Exception {
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            var thread = new Thread(() -> {
                for (int n = 0; n < 30; n++) {
                    stack.api.get("/tasks?limit=5");
                }
            });
            thread.start();
            readers.add(thread);
        }
        for (Thread reader : readers) {
            reader.join();
        }
        Set<String> held = cacheClients();

        int opened = stack.app.reconnect().cacheConnections();

        // no request ran since: every connection the app has now, the reconnect opened
        Set<String> after = cacheClients();
        assertThat(held).as("Redis connections the pool held").hasSizeGreaterThan(1);
        assertThat(opened)
                .as("connections opened before the new pool took over")
                .isEqualTo(held.size());
        assertThat(after).as("Redis clients after").hasSize(held.size()).doesNotContainAnyElementsOf(held);
    }

    /** The app's connections to Redis, by client id (CLIENT LIST, as the operations user). */
    private Set<String> cacheClients() {
        try (var ops = Containers.jedisAsOps(stack.redis)) {
            Set<String> ids = new HashSet<>();
            for (String line : ops.clientList().split("\n")) {
                if (line.contains(" name=taskmanager-" + INSTANCE + " ")) {
                    ids.add(line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id="))));
                }
            }
            return ids;
        }
    }

    /** The server sessions the app's pool holds, by backend pid. */
    private Set<Integer> appSessions() throws SQLException {
        try (var connection =
                        DriverManager.getConnection(stack.db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
                var statement =
                        connection.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, "taskmanager-" + INSTANCE);
            Set<Integer> pids = new HashSet<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getInt(1));
                }
            }
            return pids;
        }
    }
}
