package io.stackctl.core;

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
}
