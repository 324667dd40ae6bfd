package io.stackctl.taskmanager.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    private static final int CALLERS = 16;

    private final SingleFlight<String> flight = new SingleFlight<>();
    private final ExecutorService callers = Executors.newFixedThreadPool(CALLERS);

    @AfterEach
    void stopCallers() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** CALLERS calls of one key while the first one's load is held open; returns what each got. */
    private List<Future<String>> callWhileTheLoadIsHeld(SingleFlight.Load<String> load, CountDownLatch release)
            throws Exception {
        var started = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        answers.add(callers.submit(() -> flight.load("key", () -> {
            started.countDown();
            awaitOpen(release);
            return load.get();
        })));
        assertThat(started.await(10, TimeUnit.SECONDS))
                .as("the first load began")
                .isTrue();
        for (int i = 1; i < CALLERS; i++) {
            answers.add(callers.submit(() -> flight.load("key", () -> "a second load")));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (flight.counts().shared() < CALLERS - 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return answers;
    }

    private static void awaitOpen(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void callersOfOneKeyWhileItLoadsShareThatOneLoad() throws Exception {
        var release = new CountDownLatch(1);
        var answers = callWhileTheLoadIsHeld(() -> "from the database", release);
        assertThat(flight.counts().shared())
                .as("every later caller waits for the first")
                .isEqualTo(CALLERS - 1);
        release.countDown();
        for (var answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("from the database");
        }
        assertThat(flight.counts().loads()).isEqualTo(1);
    }

    @Test
    void theLoadsFailureIsEveryWaitersAsThrown() throws Exception {
        var release = new CountDownLatch(1);
        var unavailable = new SQLTransientConnectionException("pool timed out", "08001");
        var answers = callWhileTheLoadIsHeld(
                () -> {
                    throw unavailable;
                },
                release);
        release.countDown();
        for (var answer : answers) {
            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                    .hasCauseReference(unavailable)
                    .as("the type a 503 is decided on survives");
        }
    }

    @Test
    void aCallAfterALoadEndedLoadsAgain() throws SQLException {
        var loads = new AtomicInteger();
        assertThat(flight.load("key", () -> "first " + loads.incrementAndGet())).isEqualTo("first 1");
        assertThat(flight.load("key", () -> "then " + loads.incrementAndGet())).isEqualTo("then 2");
        assertThatThrownBy(() -> flight.load("key", () -> {
                    throw new SQLException("down", "08006");
                }))
                .isInstanceOf(SQLException.class);
        assertThat(flight.load("key", () -> "after a failure")).isEqualTo("after a failure");
        assertThat(flight.counts().shared()).isZero();
    }

    @Test
    void otherKeysNeverWaitForIt() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var held = callers.submit(() -> flight.load("one key", () -> {
            started.countDown();
            awaitOpen(release);
            return "slow";
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(callers.submit(() -> flight.load("another key", () -> "at once"))
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo("at once");
        release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
    }
}
