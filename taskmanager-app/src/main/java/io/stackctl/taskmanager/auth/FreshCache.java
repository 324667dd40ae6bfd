package io.stackctl.taskmanager.auth;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Answers from the database kept for a short while, so a check made on every request costs a map read. While the
 * database does not answer, the last answer stands: a replica serving cached reads keeps doing so.
 */
final class FreshCache<K, V> {

    /** Entries beyond this are dropped all at once; a flood of distinct keys cannot grow the heap without bound. */
    static final int MAX_ENTRIES = 100_000;

    @FunctionalInterface
    interface Loader<K, V> {
        V load(K key) throws SQLException;
    }

    private record Entry<V>(V value, long loadedAt) {}

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Loader<K, V> loader;
    private final long freshNanos;
    private final LongSupplier nanoTime;

    FreshCache(Loader<K, V> loader, Duration freshFor, LongSupplier nanoTime) {
        this.loader = loader;
        this.freshNanos = freshFor.toNanos();
        this.nanoTime = nanoTime;
    }

    V get(K key) throws SQLException {
        long now = nanoTime.getAsLong();
        Entry<V> entry = entries.get(key);
        if (entry != null && now - entry.loadedAt() < freshNanos) {
            return entry.value();
        }
        V value;
        try {
            value = loader.load(key);
        } catch (SQLException e) {
            if (entry != null) {
                return entry.value();
            }
            throw e;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, now));
        return value;
    }
}
