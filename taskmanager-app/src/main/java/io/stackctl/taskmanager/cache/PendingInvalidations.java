package io.stackctl.taskmanager.cache;

import java.util.HashSet;
import java.util.Set;

/**
 * Invalidations that could not reach Redis while it was down. They are replayed before the cache is used
 * again, so a Redis that comes back (with its AOF) never serves what this replica changed meanwhile.
 * Bounded: past {@link #MAX_IDS} ids it stops remembering ids and asks for a full purge instead.
 */
final class PendingInvalidations {

    static final int MAX_IDS = 10_000;

    private final Set<Long> ids = new HashSet<>();
    private boolean purgeAll;
    private volatile boolean dirty;

    /** Cheap check for the hot path. */
    boolean isEmpty() {
        return !dirty;
    }

    synchronized void addTask(long id) {
        if (!purgeAll && ids.size() < MAX_IDS) {
            ids.add(id);
        } else {
            purgeAll = true;
            ids.clear();
        }
        dirty = true;
    }

    /** Lists only: the generation must move on. */
    synchronized void addLists() {
        dirty = true;
    }

    synchronized void addPurge() {
        purgeAll = true;
        ids.clear();
        dirty = true;
    }

    /** Takes everything pending; a failed replay must {@link #restore} it. */
    synchronized Snapshot take() {
        var snapshot = new Snapshot(Set.copyOf(ids), purgeAll);
        ids.clear();
        purgeAll = false;
        dirty = false;
        return snapshot;
    }

    synchronized void restore(Snapshot snapshot) {
        if (snapshot.purgeAll()) {
            addPurge();
        } else {
            snapshot.ids().forEach(this::addTask);
            dirty = true;
        }
    }

    record Snapshot(Set<Long> ids, boolean purgeAll) {}
}
