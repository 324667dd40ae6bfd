package io.stackctl.taskmanager;

import static io.stackctl.taskmanager.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A slow Redis, not a dead one: a script that keeps the server busy 200 ms at a time makes a call wait up to that
 * (three in four over the breaker's 50 ms slow-call mark), below the cache's 250 ms timeout, so none fails. Before
 * slow calls counted, such a cache was never bypassed: every read waited for it. It must be bypassed, and used again
 * once it is fast.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowCacheIT {

    /** Redis busy for this long per script: well above the breaker's slow-call mark (50 ms), below the timeout. */
    private static final String BUSY_200_MS = "local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2];"
            + " repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= 200000; return 1";

    private TestStack stack;

    @BeforeAll
    void startStack() {
        stack = TestStack.start("it-slow-cache", 0, 0);
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    @Test
    void aSlowCacheIsBypassedAndUsedAgainOnceFast() throws Exception {
        long id = stack.api.create("read past a slow cache");
        stack.api.get("/tasks/" + id);
        assertThat(json(stack.api.get("/tasks/" + id)).get("source").asText()).isEqualTo("cache");

        var busy = new AtomicBoolean(true);
        var blocker = new Thread(() -> {
            try (var redis = Containers.jedis(stack.redis)) {
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // bounded, whatever the test does
                while (busy.get() && System.nanoTime() < until) {
                    redis.eval(BUSY_200_MS);
                }
            }
        });
        blocker.start();
        List<String> sources = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                var response = stack.api.get("/tasks/" + id);
                assertThat(response.statusCode())
                        .as("read %d while Redis is slow", i)
                        .isEqualTo(200);
                sources.add(json(response).get("source").asText());
                Thread.sleep(50);
            }
        } finally {
            busy.set(false);
            blocker.join();
        }
        // the breaker learns from 5 calls and half-opens each second, letting 2 probes meet the cache: most reads,
        // not all, bypass it (measured: 14 of 40 at 80 ms busy, where only some calls are slow)
        assertThat(sources.stream().filter("database"::equals).count())
                .as("reads from PostgreSQL while the cache was slow: %s", sources)
                .isGreaterThanOrEqualTo(10);

        Eventually.within(
                Duration.ofSeconds(10),
                "reads come from the cache again once it is fast",
                () -> json(stack.api.get("/tasks/" + id)).get("source").asText().equals("cache"));
    }
}
