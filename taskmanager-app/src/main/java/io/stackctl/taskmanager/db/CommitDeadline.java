package io.stackctl.taskmanager.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels a write whose commit waits too long for a synchronous standby. PostgreSQL's statement_timeout does not
 * cover that wait: the server disarms it before it commits (postgres.c, finish_xact_command), so a commit no standby
 * answers waited out the client's socket timeout, and over TLS the socket's close as long again (4 s, measured, where
 * a request has 5 s). A cancel ends the wait at once: the commit stands on the primary alone, with the warning that
 * {@link UnconfirmedCommits} turns into a 503, on a connection that stays usable.
 */
final class CommitDeadline implements AutoCloseable {

    /** As the statement timeout: a write's statements and its commit together end within it. */
    static final long AFTER_MS = Database.STATEMENT_TIMEOUT_MS;

    /** The cancel's own bound: pgjdbc's cancelSignalTimeout, which {@link Database} sets to 1 s. */
    static final long CANCEL_SENT_WITHIN_MS = 1_500;

    private static final Logger log = LoggerFactory.getLogger(CommitDeadline.class);

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    /** The cancel opens a connection of its own: never on the timer's thread, where one slow send would delay all. */
    private static final ExecutorService SENDERS = Executors.newCachedThreadPool(daemon("commit-deadline-cancel"));

    private final Connection connection;
    private final AtomicBoolean over = new AtomicBoolean();
    private final CompletableFuture<Void> sent = new CompletableFuture<>();
    private final ScheduledFuture<?> timer;

    private CommitDeadline(Connection connection, long afterMs) {
        this.connection = connection;
        this.timer = TIMER.schedule(this::expire, afterMs, TimeUnit.MILLISECONDS);
    }

    /** Starts the clock for one call on {@code connection}; closing it (the call has returned) stops the clock. */
    static CommitDeadline start(Connection connection) {
        return start(connection, AFTER_MS);
    }

    static CommitDeadline start(Connection connection, long afterMs) {
        return new CommitDeadline(connection, afterMs);
    }

    private void expire() {
        if (!over.compareAndSet(false, true)) {
            return;
        }
        SENDERS.execute(() -> {
            try {
                connection.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException | RuntimeException e) {
                log.warn("could not cancel a write past its {} ms deadline: {}", AFTER_MS, e.toString());
            } finally {
                sent.complete(null);
            }
        });
    }

    /**
     * Stops the clock. When the cancel was already on its way, waits until the server has it: a cancel that arrived
     * after the next statement began would cancel that one instead (the server ignores one that finds it idle).
     */
    @Override
    public void close() {
        if (over.compareAndSet(false, true)) {
            timer.cancel(false);
            return;
        }
        try {
            sent.get(CANCEL_SENT_WITHIN_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("a cancel was not sent within {} ms: {}", CANCEL_SENT_WITHIN_MS, e.toString());
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        var timer = new ScheduledThreadPoolExecutor(1, daemon("commit-deadline"));
        // Nearly every deadline is stopped long before it expires: drop them from the queue at once.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            var thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
