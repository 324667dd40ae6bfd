package io.stackctl.taskmanager.service;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Concurrent loads of one key share the first caller's: a cache miss that a hundred requests meet at once costs
 * one database read, not a hundred (which would queue on the pool and answer 503 past its wait). The first caller
 * loads and stores into the cache before the others are released; a caller arriving after that finds the cache.
 * Keys carry what writes move on (a list's generation, a task's write count), so a read that begins after a write
 * never shares a load begun before it.
 */
final class SingleFlight<K> {

    /** A database read (and the cache store that follows it). */
    @FunctionalInterface
    interface Load<V> {
        V get() throws SQLException;
    }

    /** Loads run, and callers that shared another's. */
    record Counts(long loads, long shared) {}

    private final ConcurrentHashMap<K, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder loads = new LongAdder();
    private final LongAdder shared = new LongAdder();

    @SuppressWarnings("unchecked")
    <V> V load(K key, Load<V> load) throws SQLException {
        var mine = new CompletableFuture<Object>();
        CompletableFuture<Object> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            shared.increment();
            return (V) await(running);
        }
        loads.increment();
        try {
            V value = load.get();
            mine.complete(value);
            return value;
        } catch (SQLException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    Counts counts() {
        return new Counts(loads.sum(), shared.sum());
    }

    /** The leader's failure is each waiter's, as it was thrown: a database that did not answer is a 503 for all. */
    private static Object await(CompletableFuture<Object> running) throws SQLException {
        try {
            return running.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
