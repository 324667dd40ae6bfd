package io.stackctl.taskmanager.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which requests get an app log line. nginx's access log already has one line per request (with the same
 * request id) and {@code /metrics} counts every request, so the app logs what needs its own view: every server
 * error, every slow request, and one in {@code every} of the rest. A line per request cost half the throughput
 * of a cached read (perf/README.md); {@code every = 1} brings it back.
 */
public final class RequestLogPolicy {

    private final int every;
    private final long slowMs;
    private final AtomicLong ordinary = new AtomicLong();

    public RequestLogPolicy(int every, long slowMs) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be at least 1, got " + every);
        }
        this.every = every;
        this.slowMs = slowMs;
    }

    /** Why this request is logged ({@code error}, {@code slow}, {@code sample}), or null when it is not. */
    public String reason(int status, double durationMs) {
        if (status >= 500) {
            return "error";
        }
        if (durationMs >= slowMs) {
            return "slow";
        }
        // A counter, not a random draw: exactly one line per `every` ordinary requests, and testable.
        return ordinary.getAndIncrement() % every == 0 ? "sample" : null;
    }
}
