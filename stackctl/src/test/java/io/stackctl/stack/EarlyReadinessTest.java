package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.fakes.FakeStacks;
import io.stackctl.fakes.RecordingEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container the engine still calls "starting" is asked what its healthcheck would say now, as Docker 25's
 * start_interval would: a service other than the app by running that very check in it, at most once a second.
 */
class EarlyReadinessTest {

    @TempDir
    Path root;

    private RecordingEngine engine;
    private Stack stack;
    private final StringWriter progress = new StringWriter();

    @BeforeEach
    void stack() throws Exception {
        engine = RecordingEngine.running("shop", 1);
        engine.pollsUntilHealthy = 1_000;
        engine.healthchecks.put("upstream-agent", List.of("bash", "-c", "[ -e /tmp/heartbeat ]"));
        stack = FakeStacks.open(root, engine);
    }

    @Test
    void aRecreatedAgentCountsOnceItsOwnCheckPassesWhenRunNow() {
        engine.healthcheckExits.put("upstream-agent", 0);
        engine.start("upstream-agent", 1);

        stack.waiter(new PrintWriter(progress))
                .awaitHealthy(Map.of("upstream-agent", 1), c -> true, Duration.ofSeconds(5));

        assertThat(engine.log).contains("exec shop_upstream-agent_1: bash -c [ -e /tmp/heartbeat ]");
        assertThat(progress.toString()).containsPattern("shop_upstream-agent_1 +ready");
    }

    @Test
    void aFailingCheckIsRunAgainAtMostOnceASecond() {
        engine.start("upstream-agent", 1);
        var waiter = stack.waiter(new PrintWriter(progress));

        long start = System.nanoTime();
        try {
            waiter.awaitHealthy(Map.of("upstream-agent", 1), c -> true, Duration.ofMillis(3_500));
        } catch (RuntimeException timedOut) {
            // expected: the check never passes
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        long runs = engine.log.stream()
                .filter(line -> line.startsWith("exec shop_upstream-agent_1"))
                .count();
        // The bound is the point: never more often than once a second, however the poll and the host go.
        assertThat(runs).isBetween(1L, (long) Math.ceil(seconds) + 1);
    }

    @Test
    void aServiceWithoutAHealthcheckIsLeftToTheEngine() {
        engine.start("cache", 1);

        try {
            stack.waiter(new PrintWriter(progress)).awaitHealthy(Map.of("cache", 1), c -> true, Duration.ofMillis(700));
        } catch (RuntimeException timedOut) {
            // expected
        }

        assertThat(engine.log).noneMatch(line -> line.startsWith("exec shop_cache_1"));
    }

    @Test
    void theCommandAfterAnUpThatRecreatedTheAgentFindsTheStackHealthy() {
        engine.healthcheckExits.put("upstream-agent", 0);
        var agent = engine.start("upstream-agent", 1);
        var ok = new io.stackctl.health.HttpProbe.Result("/ready", 200, 1, "");

        assertThat(Stack.problems(List.of(agent), List.of(), ok, List.of(), stack::startingButPasses))
                .isEmpty();
        assertThat(Stack.problems(List.of(agent), List.of(), ok, List.of(), c -> false))
                .containsExactly("shop_upstream-agent_1 is starting");
    }
}
