package io.stackctl.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Ends an upstream agent whose rounds stopped completing (a call into the engine or nginx that never returns), as
 * systemd's watchdog does: the container exits and its restart policy brings up a fresh agent. Docker restarts a
 * container that exits, never one that is only unhealthy, so the agent has to end itself.
 */
final class AgentWatchdog {

    /** Rounds run every second and take about one; a lock wait is bounded at 30 s. Longer than this is stuck. */
    static final Duration LIMIT = Duration.ofSeconds(60);

    private final long limitNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong lastBeat;

    AgentWatchdog(Duration limit, LongSupplier nanoTime) {
        this.limitNanos = limit.toNanos();
        this.nanoTime = nanoTime;
        this.lastBeat = new AtomicLong(nanoTime.getAsLong());
    }

    /** A round completed. */
    void beat() {
        lastBeat.set(nanoTime.getAsLong());
    }

    /** How long since the last completed round, when that is beyond the limit. */
    java.util.Optional<Duration> stuckFor() {
        long since = nanoTime.getAsLong() - lastBeat.get();
        return since > limitNanos ? java.util.Optional.of(Duration.ofNanos(since)) : java.util.Optional.empty();
    }

    /**
     * Checks every second on a daemon thread; when stuck, {@code onStuck} gets how long (the agent logs where its
     * main thread is and halts).
     */
    Thread start(java.util.function.Consumer<Duration> onStuck) {
        Thread thread = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        var stuck = stuckFor();
                        if (stuck.isPresent()) {
                            onStuck.accept(stuck.get());
                            return;
                        }
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "agent-watchdog");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
