package io.stackctl.taskmanager.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed-window counts kept in this replica's memory: the floor under a limit that must hold when Redis cannot
 * count. Only the current window is kept; a flood of distinct subjects cannot grow it past {@link #MAX_SUBJECTS}.
 */
final class LocalWindows {

    static final int MAX_SUBJECTS = 100_000;

    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile long window = Long.MIN_VALUE;

    /** Counts one for {@code subject} in {@code currentWindow}; returns its count there. */
    long increment(String subject, long currentWindow) {
        if (currentWindow != window) {
            synchronized (this) {
                if (currentWindow != window) {
                    counts.clear();
                    window = currentWindow;
                }
            }
        }
        if (counts.size() >= MAX_SUBJECTS && !counts.containsKey(subject)) {
            // Full of other subjects: this one is counted from a fresh map rather than not at all.
            counts.clear();
        }
        return counts.computeIfAbsent(subject, key -> new AtomicLong()).incrementAndGet();
    }

    int size() {
        return counts.size();
    }
}
