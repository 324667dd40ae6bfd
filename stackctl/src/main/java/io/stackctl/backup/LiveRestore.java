package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
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
    static final Duration MIGRATION_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(500);

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
            var restored = backups.restore(backup, manifest);
            var cleared = stack.postToAReplica("/cache/clear");
            boolean migrated = false;
            if (fit.fit() == SchemaFit.older) {
                migrate(fit);
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
            progress("the API is in service again after %.1fs", (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * The app migrates its schema when it starts (Flyway, safe with several replicas): one replica restarts, and
     * once it answers /ready the schema is back at the version the running code expects.
     */
    private void migrate(Backups.Fit fit) {
        ServiceContainer replica = stack.replicas().stream()
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        "the dump was restored at " + SchemaFit.label(fit.dumpVersion()) + " but no app replica runs to"
                                + " migrate it",
                        "start the stack (bin/stackctl up): the first replica migrates it"));
        progress(
                "migrating the schema %s -> %s: restarting %s (it runs Flyway at start)",
                SchemaFit.label(fit.dumpVersion()), SchemaFit.label(fit.liveVersion()), replica.name());
        stack.engine().restart(replica.id(), Duration.ofSeconds(25));
        long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String now = backups.liveSchemaVersion();
            if (SchemaFit.of(now, fit.liveVersion()) == SchemaFit.same) {
                progress("schema migrated to %s", SchemaFit.label(now));
                return;
            }
            Pause.sleep(POLL, "interrupted while the schema migrates", "run up again");
        }
        throw new StackctlException(
                ExitCodes.FAILED,
                "the dump was restored, but the schema did not reach " + SchemaFit.label(fit.liveVersion()) + " within "
                        + MIGRATION_TIMEOUT.toSeconds() + " s of restarting " + replica.name(),
                "see why with: bin/stackctl logs app; the app migrates the schema whenever a replica starts");
    }

    private void progress(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
