package io.stackctl.backup;

import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * What the next command does about a restore whose stackctl stopped half way ({@link RestoreJournal}): it asks the
 * database whether that restore committed. Committed (before the kill, or after it: the restore runs inside the db
 * container and may finish on its own), the restore is finished as it would have been: the cache cleared, an older
 * schema migrated. Not committed, the database is as it was. Either way the maintenance answer goes and the
 * outcome is said in words.
 */
public final class InterruptedRestore {

    private final Stack stack;
    private final RestoreJournal journal;
    private final PrintWriter progress;

    public InterruptedRestore(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.journal = new RestoreJournal(stack.files().stateDir(), stack.project());
        this.progress = progress;
    }

    /** The interrupted restore, if there is one (for health: no command that restores runs now). */
    public Optional<RestoreJournal.Entry> pending() {
        return journal.find();
    }

    /** Finishes or reports it; returns the sentence that says which, or nothing when there was none. */
    public Optional<String> finish() {
        var entry = journal.find();
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        var interrupted = entry.get();
        var postgres = PostgresContainer.of(stack);
        if (!interrupted.session().isEmpty()) {
            // The restore runs inside the db container and outlives its stackctl: one still waiting or loading is
            // stopped (rolled back) first, so what is read next is final.
            postgres.cancel(interrupted.session());
        }
        String outcome;
        if (!interrupted.session().isEmpty() && postgres.committed(Stack.DATABASE, interrupted.session())) {
            var cleared = stack.postToAReplica("/cache/clear");
            String live = postgres.schemaVersion(Stack.DATABASE);
            if (!interrupted.liveVersion().isEmpty()
                    && SchemaFit.of(live, interrupted.liveVersion()) == SchemaFit.older) {
                SchemaMigration.run(
                        stack, () -> postgres.schemaVersion(Stack.DATABASE), live, interrupted.liveVersion(), progress);
            }
            outcome = "the restore of " + interrupted.backup() + " started " + interrupted.startedAt()
                    + " was interrupted after it committed: the database holds that backup; finished it ("
                    + (cleared.ok() ? "cache cleared" : "no replica cleared the cache: it expires by itself") + ")";
        } else {
            outcome = "the restore of " + interrupted.backup() + " started " + interrupted.startedAt()
                    + " was interrupted before it committed: the database is as it was before it";
        }
        if (stack.maintenance().active()) {
            stack.maintenance().off(stack.runningNginx());
        }
        journal.end();
        progress.println(outcome);
        progress.flush();
        return Optional.of(outcome);
    }
}
