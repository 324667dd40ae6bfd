package io.stackctl.backup;

import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * A restore into the serving stack. Restoring holds exclusive locks on every table for the whole transaction, so
 * the API would hang request after request into its timeouts while /ready said 200. Instead the stack goes out of
 * service first, visibly: nginx answers every request with 503 {@code {"error":"maintenance"}} and
 * {@code Retry-After} (clients and load balancers in front know what that means), the restore runs, the cache is
 * cleared, an older schema is migrated by the app, and only then does traffic flow again. The maintenance answer is
 * taken down however the restore ends: done, failed, timed out, or Ctrl-C.
 */
public final class LiveRestore {

    static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    public record Outcome(Backups.Restored restored, boolean cacheCleared, boolean migrated) {}

    private final Stack stack;
    private final Backups backups;
    private final PrintWriter progress;

    public LiveRestore(Stack stack, Backups backups, PrintWriter progress) {
        this.stack = stack;
        this.backups = backups;
        this.progress = progress;
    }

    /** {@code fit} is the caller's {@link Backups#requireServable}: checked before the API goes out of service. */
    public Outcome run(BackupStore.StoredBackup backup, Manifest manifest, Backups.Fit fit) {
        var maintenance = stack.maintenance();
        var journal = new RestoreJournal(stack.files().stateDir(), stack.project());
        String session = PostgresContainer.newSession();
        // Before anything changes: a stackctl killed from here on leaves the journal for the next command.
        journal.begin(new RestoreJournal.Entry(
                session, backup.name(), java.time.Instant.now(), fit.dumpVersion(), fit.liveVersion()));
        Thread onExit = new Thread(() -> maintenance.off(stack.runningNginx()), "maintenance-off");
        progress(
                "taking the API out of service: nginx answers 503 maintenance (Retry-After %d s)",
                RETRY_AFTER.toSeconds());
        long start = System.nanoTime();
        maintenance.on(
                "the database is being restored from a backup (" + backup.name() + ")",
                RETRY_AFTER,
                stack.runningNginx());
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            var restored = backups.restore(backup, manifest, session);
            var cleared = stack.postToAReplica("/cache/clear");
            boolean migrated = false;
            if (fit.fit() == SchemaFit.older) {
                SchemaMigration.run(stack, backups::liveSchemaVersion, fit.dumpVersion(), fit.liveVersion(), progress);
                migrated = true;
            }
            return new Outcome(restored, cleared.ok(), migrated);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // shutting down: the hook turns maintenance off
            }
            maintenance.off(stack.runningNginx());
            // Whatever the outcome, this command reports it; only a killed one leaves the journal.
            journal.end();
            progress("the API is in service again after %.1fs", (System.nanoTime() - start) / 1e9);
        }
    }

    private void progress(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
