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
}
