package io.stackctl.taskmanager.db;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where borrowers wait while a planned switchover moves the primary, as pgbouncer's PAUSE holds clients: no new
 * transaction starts on the old primary, so stopping it fails none, and the ones held go on against the new primary
 * once the gate opens. A hold ends by itself: the operator that asked for it may die, and the app must not wait for
 * ever on a switchover nobody finishes.
 */
final class ConnectionGate {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition opened = lock.newCondition();
    private long heldUntilNanos;
    private boolean held;

    /** Closes the gate for at most {@code max}. */
    void hold(Duration max) {
        lock.lock();
        try {
            held = true;
            heldUntilNanos = System.nanoTime() + max.toNanos();
        } finally {
            lock.unlock();
        }
    }

    void open() {
        lock.lock();
        try {
            held = false;
            opened.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean held() {
        lock.lock();
        try {
            return held && System.nanoTime() - heldUntilNanos < 0;
        } finally {
            lock.unlock();
        }
    }

    /** Returns at once while open; else once it opens or the hold runs out. */
    void pass() throws SQLTransientConnectionException {
        lock.lock();
        try {
            while (held) {
                long left = heldUntilNanos - System.nanoTime();
                if (left <= 0) {
                    held = false;
                    return;
                }
                opened.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException(
                    "interrupted while the database was held for a switchover", "08006");
        } finally {
            lock.unlock();
        }
    }
}
