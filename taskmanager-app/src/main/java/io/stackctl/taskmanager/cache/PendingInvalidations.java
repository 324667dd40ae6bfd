package io.stackctl.taskmanager.cache;

import java.util.HashSet;
import java.util.Set;

/**
 * Invalidations that could not reach Redis while it was down. They are replayed before the cache is used
 * again, so a Redis that comes back (with its AOF) never serves what this replica changed meanwhile.
 * Bounded: past {@link #MAX_KEYS} keys it stops remembering keys and asks for a full purge instead.
 */
final class PendingInvalidations {

    static final int MAX_KEYS = 10_000;

    private final Set<String> keys = new HashSet<>();
    private boolean purgeAll;
    private volatile boolean dirty;

    /** Cheap check for the hot path. */
    boolean isEmpty() {
        return !dirty;
    }

    /** A task's keys to delete; the lists move on too. */
    synchronized void addKeys(String... taskKeys) {
        for (String key : taskKeys) {
            if (!purgeAll && keys.size() < MAX_KEYS) {
                keys.add(key);
            } else {
                purgeAll = true;
                keys.clear();
            }
        }
        dirty = true;
    }

    /** Lists only: the generation must move on. */
    synchronized void addLists() {
        dirty = true;
    }

    synchronized void addPurge() {
        purgeAll = true;
        keys.clear();
        dirty = true;
    }

    /** Takes everything pending; a failed replay must {@link #restore} it. */
    synchronized Snapshot take() {
        var snapshot = new Snapshot(Set.copyOf(keys), purgeAll);
        keys.clear();
        purgeAll = false;
        dirty = false;
        return snapshot;
    }

    synchronized void restore(Snapshot snapshot) {
        if (snapshot.purgeAll()) {
            addPurge();
        } else {
            snapshot.keys().forEach(this::addKeys);
            dirty = true;
        }
    }

    record Snapshot(Set<String> keys, boolean purgeAll) {}
}
