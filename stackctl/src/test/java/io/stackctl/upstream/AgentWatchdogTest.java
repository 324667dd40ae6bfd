package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentWatchdogTest {

    @Test
    void roundsThatKeepCompletingAreNeverStuckOneThatStopsIs() {
        var clock = new AtomicLong();
        var watchdog = new AgentWatchdog(Duration.ofSeconds(60), clock::get);

        for (int round = 0; round < 100; round++) {
            clock.addAndGet(Duration.ofSeconds(3).toNanos()); // a slow round, far apart
            assertThat(watchdog.stuckFor()).isEmpty();
            watchdog.beat();
        }
        clock.addAndGet(Duration.ofSeconds(61).toNanos()); // a round that never returns

        assertThat(watchdog.stuckFor()).hasValue(Duration.ofSeconds(61));
    }

    @Test
    void itsThreadReportsAStuckAgentOnce() throws Exception {
        var stuck = new CompletableFuture<Duration>();
        var watchdog = new AgentWatchdog(Duration.ofMillis(100), System::nanoTime);

        Thread thread = watchdog.start(stuck::complete);

        assertThat(stuck.get(30, TimeUnit.SECONDS)).isGreaterThan(Duration.ofMillis(100));
        thread.join(30_000);
        assertThat(thread.isAlive())
                .as("it ends after reporting: the agent halts")
                .isFalse();
    }
}
