package io.stackctl.taskmanager;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition with a bound, for recovery checks that take a few seconds by nature. */
public final class Eventually {

    private Eventually() {}

    /** Returns how long it took; fails with {@code what} when the bound passes first. */
    public static Duration within(Duration bound, String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (RuntimeException e) {
                // not yet: the dependency is still coming back
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
        }
        throw new AssertionError("not within " + bound.toSeconds() + " s: " + what);
    }
}
