package io.stackctl.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Blocking calls made side by side, a thread each. Not a parallel stream: its common pool runs as many at once as
 * the host has cores less one, so on 2 cores a third call waits for one of the first two.
 */
public final class AtOnce {

    private AtOnce() {}

    /** Runs {@code action} on every item at once; returns when all ended, throwing the first failure. */
    public static <T> void each(List<T> items, String threadName, Consumer<T> action) {
        var pending = items.stream()
                .map(item -> CompletableFuture.runAsync(
                        () -> action.accept(item), task -> new Thread(task, threadName).start()))
                .toList();
        RuntimeException first = null;
        for (var future : pending) {
            try {
                future.join();
            } catch (CompletionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException cause ? cause : e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Starts {@code action} on a thread of its own, beside what the caller does next. */
    public static Beside beside(String threadName, Runnable action) {
        var thread = new Thread(action, threadName);
        thread.setDaemon(true);
        thread.start();
        return new Beside(thread);
    }

    /** A call started {@link #beside}. */
    public static final class Beside {

        private final Thread thread;

        private Beside(Thread thread) {
            this.thread = thread;
        }

        /** Waits for it to end, at most {@code bound}: a call that hangs does not hold the caller longer. */
        public void awaitAtMost(Duration bound) {
            try {
                thread.join(bound.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
