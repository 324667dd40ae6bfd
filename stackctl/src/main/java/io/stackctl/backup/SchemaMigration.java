package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The app migrates its schema when it starts (Flyway, safe with several replicas): one replica restarts, and once
 * the schema is at the version the running code expects, the restored data is servable.
 */
final class SchemaMigration {

    static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(500);

    private SchemaMigration() {}

    static void run(
            Stack stack, Supplier<String> liveVersion, String dumpVersion, String wanted, PrintWriter progress) {
        ServiceContainer replica = stack.replicas().stream()
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        "the dump was restored at " + SchemaFit.label(dumpVersion) + " but no app replica runs to"
                                + " migrate it",
                        "start the stack (bin/stackctl up): the first replica migrates it"));
        progress.printf(
                "migrating the schema %s -> %s: restarting %s (it runs Flyway at start)%n",
                SchemaFit.label(dumpVersion), SchemaFit.label(wanted), replica.name());
        progress.flush();
        stack.engine().restart(replica.id(), Duration.ofSeconds(25));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String now = liveVersion.get();
            if (SchemaFit.of(now, wanted) == SchemaFit.same) {
                progress.printf("schema migrated to %s%n", SchemaFit.label(now));
                progress.flush();
                awaitServing(stack, replica, deadline, progress);
                return;
            }
            Pause.sleep(POLL, "interrupted while the schema migrates", "run up again");
        }
        throw new StackctlException(
                ExitCodes.FAILED,
                "the dump was restored, but the schema did not reach " + SchemaFit.label(wanted) + " within "
                        + TIMEOUT.toSeconds() + " s of restarting " + replica.name(),
                "see why with: bin/stackctl logs app; the app migrates the schema whenever a replica starts");
    }

    /**
     * The restarted replica still warms up after its migration: the restore is done once it serves again (healthy,
     * and in nginx's upstream at its address, which a restart may change), so the next command meets a healthy stack
     * (CI: a drill run right after found it still starting). A replica that does not come back is said, not fatal:
     * the data is restored and the other replicas serve it.
     */
    private static void awaitServing(Stack stack, ServiceContainer replica, long deadline, PrintWriter progress) {
        while (System.nanoTime() < deadline) {
            boolean healthy = stack.containers().stream().anyMatch(c -> c.id().equals(replica.id()) && c.healthy());
            if (healthy) {
                stack.reconcileUpstream();
                progress.printf("%s serves again%n", replica.name());
                progress.flush();
                return;
            }
            Pause.sleep(POLL, "interrupted while the migrated replica starts", "run bin/stackctl health");
        }
        progress.printf(
                "warning: %s migrated the schema but is not healthy yet; the other replicas serve%n"
                        + "hint: bin/stackctl health shows why; bin/stackctl up starts it again if it stopped%n",
                replica.name());
        progress.flush();
    }
}
