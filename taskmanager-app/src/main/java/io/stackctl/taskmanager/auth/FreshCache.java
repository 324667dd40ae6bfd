package io.stackctl.taskmanager.auth;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * Answers from the database kept for a short while, so a check made on every request costs a map read. An answer
 * older than that is still given while one background lookup refreshes it (stale-while-revalidate): a request never
 * waits on the database for it once the key is known, so a database outage costs a request one pool wait, not two
 * (the db-restart drill measured 2.2 s with a lookup in the request's path). A key seen for the first time is looked
 * up in the request. An answer about to refuse a request is {@link #confirm confirmed} first: the cache's age must
 * never refuse a client (a restore that recreated an account, then a fresh login for it).
 */
final class FreshCache<K, V> {

    /** Entries beyond this are dropped all at once; a flood of distinct keys cannot grow the heap without bound. */
    static final int MAX_ENTRIES = 100_000;

    @FunctionalInterface
    interface Loader<K, V> {
        V load(K key) throws SQLException;
    }

    private record Entry<V>(V value, long loadedAt) {}

    private static final ExecutorService REFRESHER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "account-refresh");
        thread.setDaemon(true);
        return thread;
    });

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<K, Boolean> refreshing = new ConcurrentHashMap<>();
    private final Loader<K, V> loader;
    private final long freshNanos;
    private final long confirmedForNanos;
    private final LongSupplier nanoTime;

    FreshCache(Loader<K, V> loader, Duration freshFor, Duration confirmedFor, LongSupplier nanoTime) {
        this.loader = loader;
        this.freshNanos = freshFor.toNanos();
        this.confirmedForNanos = confirmedFor.toNanos();
        this.nanoTime = nanoTime;
    }

    V get(K key) throws SQLException {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return load(key);
        }
        if (nanoTime.getAsLong() - entry.loadedAt() >= freshNanos
                && refreshing.putIfAbsent(key, Boolean.TRUE) == null) {
            REFRESHER.execute(() -> {
                try {
                    load(key);
                } catch (SQLException | RuntimeException e) {
                    // the database does not answer: the last answer stands until it does
                } finally {
                    refreshing.remove(key);
                }
            });
        }
        return entry.value();
    }

    /**
     * The database's answer now, unless it was asked within the confirmation window: a client that keeps sending a
     * refused credential costs at most one lookup per window, not one per request.
     */
    V confirm(K key) throws SQLException {
        Entry<V> entry = entries.get(key);
        if (entry != null && nanoTime.getAsLong() - entry.loadedAt() < confirmedForNanos) {
            return entry.value();
        }
        return load(key);
    }

    private V load(K key) throws SQLException {
        long now = nanoTime.getAsLong();
        V value = loader.load(key);
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, now));
        return value;
    }
}
