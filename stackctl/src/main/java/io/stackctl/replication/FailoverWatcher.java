package io.stackctl.replication;

import io.stackctl.core.AtOnce;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.PrimaryRecord;
import io.stackctl.stack.Stack;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

/**
 * The automatic failover the upstream agent runs (it alone holds the engine's socket, and runs with no stackctl
 * command): every second it asks the primary the record names whether it accepts connections. Once it has not for
 * {@link #FAILED_FOR} (its container stopped, killed, paused, or PostgreSQL not answering), and the standby answers
 * as a standby, it names the standby in the record, kills the old primary's container (a paused one too: the fence,
 * so that it never takes a write again), promotes the standby, and starts the old container again, which rejoins as
 * a standby (compose/db/replication.sh). With no standby it does nothing: there is nowhere to go.
 */
public final class FailoverWatcher {

    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /**
     * How long the primary must have failed every probe: long enough that a busy engine's slow exec or a restart by
     * the restart policy (PostgreSQL is back in about 2 s) is not taken for a dead primary, short enough that writes
     * come back well within 15 s.
     */
    static final Duration FAILED_FOR = Duration.ofSeconds(4);

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    static final Duration PROMOTED_WITHIN = Duration.ofSeconds(30);

    private final Engine engine;
    private final String project;
    private final PrimaryRecord record;
    private final PrintStream log;
    private long failingSince = -1;
    private String lastReason = "";
    private Optional<String> fenced = Optional.empty();

    public FailoverWatcher(Engine engine, String project, PrimaryRecord record, PrintStream log) {
        this.engine = engine;
        this.project = project;
        this.record = record;
        this.log = log;
    }

    /** Watches on a daemon thread of its own until the JVM stops. */
    public void start() {
        var thread = new Thread(this::watch, "failover-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        log.println("failover-watcher: watching the primary db node (failover after " + FAILED_FOR.toSeconds()
                + " s without an answer, when a standby runs)");
        while (true) {
            try {
                round();
            } catch (RuntimeException e) {
                log.println("failover-watcher: " + e.getMessage());
            }
            try {
                Thread.sleep(PROBE_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One probe, and a failover when the primary has failed long enough. */
    void round() {
        String primary = record.primary();
        String standby = Switchover.other(primary);
        Optional<ServiceContainer> standbyContainer = container(standby);
        Optional<ServiceContainer> primaryContainer = container(primary);
        restartFenced(primaryContainer);
        if (standbyContainer.isEmpty()) {
            // Nowhere to fail over to, so no probe: each one is an exec through the engine (a quarter of a second of
            // CPU on a 2-core host), and once a second that was a tenth of the machine, idle or not.
            failingSince = -1;
            return;
        }
        Optional<String> failure = failure(primaryContainer);
        if (failure.isEmpty()) {
            if (failingSince >= 0) {
                log.println("failover-watcher: " + primary + " answers again; no failover");
            }
            failingSince = -1;
            return;
        }
        long now = System.nanoTime();
        if (failingSince < 0 || !failure.get().equals(lastReason)) {
            log.println("failover-watcher: " + primary + " " + failure.get());
            lastReason = failure.get();
        }
        if (failingSince < 0) {
            failingSince = now;
            return;
        }
        if (now - failingSince < FAILED_FOR.toNanos()) {
            return;
        }
        NodeState target = ReplicationQuery.ask(engine, standby, standbyContainer);
        if (!target.answered() || !target.inRecovery()) {
            String reason = "no failover: " + standby + " is " + target.role();
            if (!reason.equals(lastReason)) {
                log.println(
                        "failover-watcher: " + primary + " has failed for " + FAILED_FOR.toSeconds() + " s; " + reason);
                lastReason = reason;
            }
            return;
        }
        failOver(primary, primaryContainer, standby, standbyContainer.get(), now);
    }

    private void failOver(
            String primary,
            Optional<ServiceContainer> primaryContainer,
            String standby,
            ServiceContainer standbyContainer,
            long detectedAt) {
        long start = System.nanoTime();
        record.write(standby);
        primaryContainer.ifPresent(this::fence);
        log.println("failover-watcher: failing over: record names " + standby + "; " + primary + " fenced (killed)");
        // Started again at once, beside the promotion (a container's start takes the engine 0.7 s here): it reads the
        // record, waits for the standby's promotion and rewinds to it. With REPLICAS_SYNC=on the new primary's writes
        // wait for it.
        var startingAgain = primaryContainer.map(old -> AtOnce.beside("failover-watcher-start", () -> startAgain(old)));
        engine.exec(standbyContainer.id(), PROMOTED_WITHIN, "bash", "/stack/db/ensure-replication.sh");
        long deadline = System.nanoTime() + PROMOTED_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (ReplicationQuery.ask(engine, standby, Optional.of(standbyContainer))
                    .primary()) {
                log.printf(
                        "failover-watcher: %s is the primary, %d ms after %s was found failing (%d ms to promote)%n",
                        standby,
                        (System.nanoTime() - detectedAt) / 1_000_000 + FAILED_FOR.toMillis(),
                        primary,
                        (System.nanoTime() - start) / 1_000_000);
                break;
            }
            sleep(100);
        }
        failingSince = -1;
        fenced = primaryContainer.map(c -> primary);
        startingAgain.ifPresent(starting -> starting.awaitAtMost(PROMOTED_WITHIN));
        // Should the start above have failed: at once, not at the next round.
        restartFenced(container(standby));
    }

    private void startAgain(ServiceContainer old) {
        try {
            engine.start(old.id());
            log.println("failover-watcher: started " + old.service() + " again: it rejoins as a standby");
        } catch (RuntimeException e) {
            log.println("failover-watcher: could not start " + old.service() + " again yet (" + e.getMessage()
                    + "); trying once " + Switchover.other(old.service()) + " answers");
        }
    }

    /** Kills the old primary's container unless it is stopped already (a dead one takes no write either). */
    private void fence(ServiceContainer old) {
        var now = engine.containers(project, old.service()).stream()
                .filter(c -> c.id().equals(old.id()))
                .findFirst();
        if (now.isPresent() && (now.get().running() || "paused".equals(now.get().state()))) {
            engine.kill(old.id());
        }
    }

    /** The node this watcher fenced starts again once the new primary answers: it rejoins as a standby. */
    private void restartFenced(Optional<ServiceContainer> primaryContainer) {
        if (fenced.isEmpty() || failure(primaryContainer).isPresent()) {
            return;
        }
        var old = container(fenced.get());
        if (old.isPresent()
                && !old.get().running()
                && !"paused".equals(old.get().state())) {
            log.println("failover-watcher: starting " + fenced.get() + " again: it rejoins as a standby");
            engine.start(old.get().id());
        }
        fenced = Optional.empty();
    }

    /** Why the node does not take connections, or empty when it does. */
    private Optional<String> failure(Optional<ServiceContainer> container) {
        if (container.isEmpty()) {
            return Optional.of("has no container");
        }
        if (!container.get().running()) {
            return Optional.of("is " + container.get().state());
        }
        try {
            var answer = engine.exec(
                    container.get().id(),
                    PROBE_TIMEOUT,
                    "pg_isready",
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-t",
                    "2",
                    "-U",
                    Stack.OPERATIONS_USER,
                    "-d",
                    "postgres");
            return answer.exitCode() == 0
                    ? Optional.empty()
                    : Optional.of("does not accept connections (pg_isready exit " + answer.exitCode() + ")");
        } catch (RuntimeException e) {
            return Optional.of("does not answer (" + e.getMessage() + ")");
        }
    }

    private Optional<ServiceContainer> container(String node) {
        return engine.containers(project, node).stream().findFirst();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
