package io.stackctl.taskmanager;

import static io.stackctl.taskmanager.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** PostgreSQL stopped under a running API: fast 503s, never a hang, and recovery without a restart. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageIT {

    /**
     * Far above the pool wait (1 s), far below a hung request (30 s, a pool's default): proves a bound, not a speed,
     * and holds on a host busy with another test class (CI runs two at a time).
     */
    private static final long HANG_BOUND_MS = 5_000;

    private TestStack stack;
    private PostgreSQLContainer db;
    private GenericContainer<?> redis;
    private Api api;

    @BeforeAll
    void startStack() {
        stack = TestStack.start("it-db", Containers.freePort(), 0);
        db = stack.db;
        redis = stack.redis;
        api = stack.api;
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    @Test
    void aStoppedDatabaseGivesFast503sAndTheApiRecoversByItself() {
        long id = api.create("survives the outage");

        Containers.stop(db);
        try {
            for (String path : new String[] {"/tasks/" + (id + 1000), "/tasks?limit=7", "/ready"}) {
                long start = System.nanoTime();
                var response = api.get(path);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(response.statusCode())
                        .as(path + ": " + response.body())
                        .isEqualTo(503);
                assertThat(tookMs).as(path + " answered without hanging").isLessThan(HANG_BOUND_MS);
            }
            var write = api.post("/tasks", "{\"title\":\"lost?\"}");
            assertThat(write.statusCode()).isEqualTo(503);
            assertThat(json(write).get("error").asText()).isEqualTo("database unavailable");
            assertThat(json(api.get("/health")).get("status").asText()).isEqualTo("unhealthy");
            assertThat(api.get("/live").statusCode())
                    .as("liveness touches no dependency")
                    .isEqualTo(200);
        } finally {
            Containers.start(db);
        }

        Eventually.within(
                Duration.ofSeconds(30),
                "the API serves again once PostgreSQL is back",
                () -> api.get("/ready").statusCode() == 200);
        assertThat(json(api.get("/tasks/" + id)).at("/task/title").asText()).isEqualTo("survives the outage");
        assertThat(api.post("/tasks", "{\"title\":\"after\"}").statusCode()).isEqualTo(201);
    }
}
