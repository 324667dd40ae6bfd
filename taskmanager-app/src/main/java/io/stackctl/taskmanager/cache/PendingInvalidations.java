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
    /** The tasks whose write counts must move on, so a load that began before the change cannot store it. */
    private final Set<Long> tasks = new HashSet<>();

    private boolean purgeAll;
    private volatile boolean dirty;

    /** Cheap check for the hot path. */
    boolean isEmpty() {
        return !dirty;
    }

    /** A changed task: its keys to delete and its write count to move on; the lists move on too. */
    synchronized void addTask(long id, String... taskKeys) {
        for (String key : taskKeys) {
            if (!purgeAll && keys.size() < MAX_KEYS) {
                keys.add(key);
            } else {
                addPurge();
            }
        }
        if (!purgeAll) {
            tasks.add(id);
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
        tasks.clear();
        dirty = true;
    }

    /** Takes everything pending; a failed replay must {@link #restore} it. */
    synchronized Snapshot take() {
        var snapshot = new Snapshot(Set.copyOf(keys), Set.copyOf(tasks), purgeAll);
        keys.clear();
        tasks.clear();
        purgeAll = false;
        dirty = false;
        return snapshot;
    }

    synchronized void restore(Snapshot snapshot) {
        if (snapshot.purgeAll()) {
            addPurge();
        } else {
            keys.addAll(snapshot.keys());
            tasks.addAll(snapshot.tasks());
            if (keys.size() > MAX_KEYS) {
                addPurge();
            }
            dirty = true;
        }
    }

    record Snapshot(Set<String> keys, Set<Long> tasks, boolean purgeAll) {}
}
