package io.stackctl.core;

import java.time.Duration;

/** A bounded wait inside a command: an interrupt (Ctrl-C) ends the command with one clear line instead of a trace. */
public final class Pause {

    private Pause() {}

    /** Sleeps {@code duration}; when interrupted, exit 4 saying {@code interrupted} and {@code hint}. */
    public static void sleep(Duration duration, String interrupted, String hint) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackctlException(ExitCodes.FAILED, interrupted, hint);
        }
    }

    /** Polls {@code condition} every {@code poll} until it holds (true) or {@code bound} passes (false). */
    public static boolean until(Duration bound, Duration poll, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(poll, "interrupted while waiting", "run the command again");
        }
    }
}
