package io.stackctl.replication;

import io.stackctl.core.AtOnce;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.HttpProbe;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Makes another db node the primary. Planned (the primary answers): every replica holds its new transactions and lets
 * the ones in flight end, the record names the new primary, the old one stops cleanly (its last WAL reaches the
 * standby before it exits), the standby is checked to have replayed all of it and is promoted, the replicas reconnect
 * and go on, and the old primary starts again as a standby of the new one: no request fails and no write is lost.
 * Unplanned (the primary is gone or frozen): the old primary's container is killed first, paused or not, so it never
 * takes a write again, then the standby is promoted; what it had not received is lost in asynchronous mode only.
 *
 * <p>Safe to stop at any point: the record is written before anything moves, the new primary's health check promotes
 * it if this did not get that far, a node the record does not name never starts as a primary, the replicas' hold ends
 * by itself, and {@code up} starts a node left stopped, which then rejoins as a standby.
 */
public final class Switchover {

    /** How long the replicas hold new transactions at most: a switchover takes 2-4 s on a 2-core host. */
    static final int HOLD_SECONDS = 15;

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    static final Duration REPLAYED_WITHIN = Duration.ofSeconds(10);
    static final Duration PROMOTED_WITHIN = Duration.ofSeconds(30);
    static final Duration REJOINED_WITHIN = Duration.ofSeconds(90);
    /** How long held replicas wait for the old primary to rejoin before they go on (and their commits wait). */
    static final Duration SYNCHRONOUS_REJOIN_WITHIN = Duration.ofSeconds(6);

    static final Duration POLL = Duration.ofMillis(100);

    /**
     * What a switchover did, with its timings in milliseconds from its start.
     *
     * @param planned the old primary answered and was stopped cleanly; else it was killed
     * @param held replicas that held their transactions
     * @param promotedMs when the new primary took writes
     * @param resumedMs when the replicas went on
     * @param rejoinedMs when the old primary streamed from the new one; -1 when it did not within the bound
     */
    public record Outcome(
            String from, String to, boolean planned, int held, long promotedMs, long resumedMs, long rejoinedMs) {}

    private final Stack stack;
    private final PrintWriter progress;
    private AtOnce.Beside startingAgain;

    public Switchover(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
    }

    /** The node a failover goes to when none is named: the other one. */
    public static String other(String node) {
        return Standby.NODES.stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
    }

    public Outcome run(Optional<String> asked) {
        long start = System.nanoTime();
        var before = Replication.of(stack);
        String from = before.recordedPrimary();
        String to = asked.orElse(other(from));
        if (!Standby.NODES.contains(to)) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "'" + to + "' is not a db node (they are " + String.join(", ", Standby.NODES) + ")",
                    "name one of them: bin/stackctl failover --to " + other(from));
        }
        NodeState target = before.node(to).orElse(NodeState.down(to, Optional.empty(), false));
        if (to.equals(from)) {
            if (target.primary()) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        to + " is the primary already",
                        "to move the primary away from it: bin/stackctl failover --to " + other(to));
            }
            say("%s is named the primary but is still a standby: finishing that failover", to);
            return finish(start, from, to, false, before.synchronous(), List.of());
        }
        if (!target.answered()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    to + " is " + target.role() + ", so it cannot become the primary",
                    "start it with bin/stackctl up --standby, and wait until bin/stackctl status shows it streaming");
        }
        if (target.primary()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    to + " answers as a primary although the record names " + from,
                    "it fences itself within seconds (its health check); run the failover again then");
        }
        boolean planned = before.node(from).map(NodeState::primary).orElse(false);
        if (planned
                && before.feed(to).filter(f -> f.state().equals("streaming")).isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    to + " is not streaming from " + from + ", so it would miss the writes since it stopped",
                    "see why with bin/stackctl logs " + to + "; bin/stackctl status shows each node's state");
        }
        if (!planned && !before.synchronous()) {
            say(
                    "warning: %s does not answer and commits did not wait for %s (REPLICAS_SYNC=off): what %s had not"
                            + " received is lost",
                    from, to, to);
        }
        List<ServiceContainer> held = planned ? hold() : List.of();
        try {
            Optional<ServiceContainer> old = container(from);
            long lastLsn = planned
                    ? Lsn.parse(ReplicationQuery.ask(stack.engine(), from, old).lsn())
                    : -1;
            stack.primaryRecord().write(to);
            say("primary record: %s", to);
            if (old.isPresent()) {
                if (planned) {
                    say("stopping %s cleanly (its last WAL goes to %s first)", from, to);
                    stack.engine().stop(old.get().id(), STOP_GRACE);
                    // Each step's time, for a slow switchover's own account of where it went.
                    say("%s stopped (%d ms)", from, elapsedMs(start));
                } else {
                    say("fencing %s: killing its container, frozen or not, so it takes no write again", from);
                    stack.engine().kill(old.get().id());
                }
            }
            // Started again at once, beside the promotion: it reads the record and waits for the new primary, and
            // with REPLICAS_SYNC=on the replicas stay held until it streams (a start takes the engine 0.7 s here).
            startingAgain = AtOnce.beside("switchover-start", () -> {
                try {
                    startAgain(from, to);
                } catch (RuntimeException e) {
                    say("%s did not start yet (%s); trying again after the promotion", from, e.getMessage());
                }
            });
            if (lastLsn >= 0) {
                awaitReplayed(to, lastLsn);
                say("%s replayed all of %s's WAL (%d ms)", to, from, elapsedMs(start));
            }
        } catch (RuntimeException e) {
            resume(held);
            throw e;
        }
        return finish(start, from, to, planned, before.synchronous(), held);
    }

    /** The start beside the promotion ends before the one after it, which then finds the node running. */
    private void joinStartingAgain() {
        if (startingAgain != null) {
            startingAgain.awaitAtMost(PROMOTED_WITHIN);
        }
    }

    private Outcome finish(
            long start, String from, String to, boolean planned, boolean synchronous, List<ServiceContainer> held) {
        long promoted;
        long rejoined = -1;
        try {
            try {
                promote(to);
                promoted = elapsedMs(start);
            } finally {
                // Whatever came of the promotion: the old node follows the record, and waits for its primary.
                joinStartingAgain();
                startAgain(from, to);
            }
            say("%s is the primary (%d ms)", to, promoted);
            // With REPLICAS_SYNC=on the new primary's commits wait for a standby, the old primary once it rejoins:
            // the replicas stay held until then, as a commit waiting longer than their budget would fail.
            if (synchronous && !held.isEmpty()) {
                // The replicas open their new pools (0.9 s here) while the old primary rejoins, still held: their
                // resume then only lets the held requests go.
                var reconnected = CompletableFuture.runAsync(() -> call(held, "/ops/db/reconnect", "its resume will"));
                if (awaitStreaming(to, from, SYNCHRONOUS_REJOIN_WITHIN)) {
                    rejoined = elapsedMs(start);
                }
                reconnected.join();
            }
        } finally {
            resume(held);
        }
        long resumed = elapsedMs(start);
        if (rejoined < 0 && awaitStreaming(to, from, REJOINED_WITHIN)) {
            rejoined = elapsedMs(start);
        }
        if (rejoined < 0) {
            say(
                    "warning: %s did not stream from %s within %d s: see bin/stackctl logs %s",
                    from, to, REJOINED_WITHIN.toSeconds(), from);
        } else {
            say("%s streams from %s (%d ms)", from, to, rejoined);
        }
        return new Outcome(from, to, planned, held.size(), promoted, resumed, rejoined);
    }

    /** A node left stopped (by this switchover, or fenced earlier) starts again: it rejoins as a standby. */
    private void startAgain(String from, String to) {
        container(from).ifPresent(old -> {
            if (!old.running()) {
                say("starting %s again: it rejoins as a standby of %s", from, to);
                stack.engine().start(old.id());
            }
        });
    }

    /** Every replica holds new transactions; undone and refused when one cannot (an app image from before holds). */
    private List<ServiceContainer> hold() {
        List<ServiceContainer> held = new ArrayList<>();
        for (ServiceContainer replica : stack.replicas()) {
            HttpProbe.Result answer = stack.operatorPost(replica, "/ops/db/hold?seconds=" + HOLD_SECONDS, CALL_TIMEOUT);
            if (!answer.ok()) {
                resume(held);
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        replica.name() + " did not hold its transactions for the switchover (" + answer.summary()
                                + "), so requests would fail; nothing was changed",
                        "deploy the current app image (bin/stackctl up), which has /ops/db/hold, and try again");
            }
            held.add(replica);
        }
        say("%d replicas hold new transactions (at most %d s)", held.size(), HOLD_SECONDS);
        return held;
    }

    /**
     * All at once: each replica fills a new pool before it lets its held requests go (0.7 s over TLS here), and one
     * after another the last would keep its requests that much longer.
     */
    private void resume(List<ServiceContainer> held) {
        call(held, "/ops/db/resume", "its hold ends by itself");
    }

    private void call(List<ServiceContainer> held, String path, String otherwise) {
        AtOnce.each(held, "switchover-call", replica -> {
            HttpProbe.Result answer = stack.operatorPost(replica, path, CALL_TIMEOUT);
            if (!answer.ok()) {
                say("warning: %s did not reconnect (%s); %s", replica.name(), answer.summary(), otherwise);
            }
        });
    }

    private void awaitReplayed(String node, long lsn) {
        boolean replayed = Pause.until(
                REPLAYED_WITHIN,
                POLL,
                () -> Lsn.parse(ReplicationQuery.ask(stack.engine(), node, container(node))
                                .lsn())
                        >= lsn);
        if (!replayed) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    node + " did not replay the old primary's last WAL within " + REPLAYED_WITHIN.toSeconds()
                            + " s; it is not promoted",
                    "its health check promotes it once it has (the record names it); see bin/stackctl logs " + node);
        }
    }

    /** The promotion the node's own health check would do (compose/db/ensure-replication.sh), now. */
    private void promote(String node) {
        var target = container(node)
                .filter(ServiceContainer::running)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        node + " is not running, so it cannot be promoted",
                        "start it with bin/stackctl up; the record names it, so it starts as the primary"));
        // Exit 0: it promoted itself (pg_promote waits for the end of recovery) and took the primary's settings.
        if (stack.engine()
                        .exec(target.id(), PROMOTED_WITHIN, "bash", "/stack/db/ensure-replication.sh")
                        .exitCode()
                == 0) {
            return;
        }
        boolean primary = Pause.until(
                PROMOTED_WITHIN,
                POLL,
                () -> ReplicationQuery.ask(stack.engine(), node, container(node))
                        .primary());
        if (!primary) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    node + " did not become the primary within " + PROMOTED_WITHIN.toSeconds() + " s",
                    "see bin/stackctl logs " + node + "; its health check tries again every few seconds");
        }
    }

    private boolean awaitStreaming(String primary, String standby, Duration within) {
        return container(primary)
                .filter(ServiceContainer::running)
                .map(c -> ReplicationQuery.awaitStreaming(stack.engine(), c, standby, within))
                .orElse(false);
    }

    private Optional<ServiceContainer> container(String node) {
        return stack.engine().containers(stack.project(), node).stream().findFirst();
    }

    private void say(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }

    private static long elapsedMs(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
