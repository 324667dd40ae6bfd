package io.stackctl.drill;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.replication.NodeState;
import io.stackctl.replication.Replication;
import io.stackctl.replication.Switchover;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The primary db node dies (its container killed) or freezes (every PostgreSQL process stopped, {@link #FREEZE}:
 * nothing answers, nothing exits, the harder case to detect) under the load; the upstream agent must fail over to the standby by itself. Measures
 * the detection, the promotion, the time until a write succeeds again, the failed requests by kind, and what was lost:
 * with REPLICAS_SYNC=on no acknowledged write, with it off no more than the standby's lag shown before the fault.
 */
public final class DbFailoverDrill implements Drill {

    /**
     * Sends $1 (STOP, CONT) to every process of the postgres user in the container, the postmaster first so it forks
     * no new one: a frozen PostgreSQL, as a stalled VM or a hung disk leaves it. Not {@code docker pause}, which
     * freezes the container's cgroup: an exec the engine was starting at that instant (its health check, the agent's
     * probe) freezes half-started and holds the container's lock in the engine until thawed, so every inspect, kill
     * and unpause of it waits too (Docker 20.10 with runc 1.1; CI run 28 hung 18 minutes so). An exec's own start
     * runs as root, so this one never stops it.
     */
    static final String FREEZE = """
            pm=$(head -n 1 "${PGDATA:-/var/lib/postgresql/data}/postmaster.pid" 2>/dev/null || true)
            [ -z "$pm" ] || kill -"$1" "$pm" 2>/dev/null || true
            for round in 1 2; do
              for p in /proc/[0-9]*; do
                [ "$(stat -c %U "$p" 2>/dev/null)" = postgres ] && kill -"$1" "${p#/proc/}" 2>/dev/null
              done
            done
            true""";

    /**
     * The bound the drill holds a synchronous failover to: the detection (4 s without an answer), the promotion, and,
     * because each commit waits for a standby, the old primary's rewind and rejoin. Measured on a 2-core host under
     * the drill's load with TLS inside the stack: 10.5 to 17.1 s, most runs under the 15 s goal of issue 21 (the
     * figure is printed with every run); {@code --writes-back-within} sets another (CI gives its busy host 60 s).
     */
    public static final Duration WRITES_BACK_WITHIN = Duration.ofSeconds(25);

    static final Duration FAILOVER_WITHIN = Duration.ofSeconds(30);
    static final Duration REJOINED_WITHIN = Duration.ofSeconds(90);

    private final boolean freeze;
    private final long writesBackWithinMs;
    private ServiceContainer primary;
    private Replication before;
    private long faultAtMs = Long.MAX_VALUE;

    public DbFailoverDrill(boolean freeze, Duration writesBackWithin) {
        this.freeze = freeze;
        this.writesBackWithinMs = writesBackWithin.toMillis();
    }

    @Override
    public String name() {
        return freeze ? "db-freeze" : "db-failover";
    }

    @Override
    public Outcome inject(DrillContext context) {
        Stack stack = context.stack();
        before = Replication.of(stack);
        String from = before.recordedPrimary();
        String to = Switchover.other(from);
        if (before.feed(to).filter(f -> f.state().equals("streaming")).isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "drill " + name() + " needs a standby streaming from the primary, and " + to + " is not",
                    "add one with bin/stackctl up --standby; bin/stackctl status shows its state");
        }
        var lag = before.feed(to).orElseThrow();
        primary = stack.requirePrimaryDb();
        long faultAt = context.load().now();
        faultAtMs = faultAt;
        if (freeze) {
            signalPostgres(stack, primary.id(), "STOP");
            context.say(
                    "froze %s (SIGSTOP to each PostgreSQL process); the standby %s lagged %d bytes, %.1f s",
                    from, to, lag.lagBytes(), lag.lagSeconds());
        } else {
            stack.engine().kill(primary.id());
            context.say(
                    "killed %s; the standby %s lagged %d bytes, %.1f s", from, to, lag.lagBytes(), lag.lagSeconds());
        }
        // A create sent between faultAt and the engine's kill may still succeed on the old primary: it does not say
        // that writes came back, so the first write counts only among those sent once the fault was in place.
        long faultDoneAt = context.load().now();
        boolean failedOver = DrillContext.await(
                FAILOVER_WITHIN, () -> stack.primaryRecord().primary().equals(to));
        long detectedAt = context.load().now();
        // The agent starts the fenced node again at once (it rejoins as a standby): what matters is that it never
        // answers as a primary once another is named, not that its container is down.
        var oldNode = Replication.of(stack).node(from);
        String oldState = oldNode.map(NodeState::role).orElse("gone");
        boolean oldFenced = !oldNode.map(NodeState::primary).orElse(false);
        boolean promoted = failedOver
                && DrillContext.await(
                        FAILOVER_WITHIN,
                        () -> Replication.of(stack)
                                .node(to)
                                .map(NodeState::primary)
                                .orElse(false));
        long promotedAt = context.load().now();
        context.say(
                "%s: the agent named %s the primary %d ms after the fault (%s then %s); promoted at %d ms",
                failedOver ? "failed over" : "no failover",
                to,
                detectedAt - faultAt,
                from,
                oldState,
                promotedAt - faultAt);
        boolean rejoined = promoted
                && DrillContext.await(
                        REJOINED_WITHIN,
                        () -> Replication.of(stack)
                                .feed(from)
                                .filter(f -> f.state().equals("streaming"))
                                .isPresent());
        long rejoinedAt = context.load().now();
        boolean oldIsStandby =
                Replication.of(stack).node(from).map(NodeState::inRecovery).orElse(false);
        context.say(
                "%s %s as a standby %d ms after the fault",
                from, rejoined ? "rejoined" : "did not rejoin", rejoinedAt - faultAt);
        // Why not is in the node's own log (pg_rewind, the clone, the WAL receiver) and the agent's: a CI run that
        // failed here once (rejoined only after 100 s) left nothing else to go on.
        String notRejoinedWhy = rejoined ? "" : "; " + lastLines(stack, from) + "; " + lastLines(stack, Stack.AGENT);
        DrillContext.await(Duration.ofSeconds(20), () -> DbRestartDrill.settled(context.load(), promotedAt));
        long recoveredAt = context.load().now();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("fault", freeze ? "SIGSTOP" : "docker kill");
        figures.put("synchronous", before.synchronous());
        figures.put("lag_before_fault_bytes", lag.lagBytes());
        figures.put("lag_before_fault_seconds", lag.lagSeconds());
        figures.put("detection_ms", detectedAt - faultAt);
        figures.put("promotion_ms", promotedAt - detectedAt);
        figures.put("rejoined_ms", rejoined ? rejoinedAt - faultAt : null);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            long firstWrite = Verdicts.between(samples, faultDoneAt, Long.MAX_VALUE).stream()
                    .filter(s -> s.kind().equals("create") && s.ok())
                    .mapToLong(s -> s.endMs() - faultAt)
                    .min()
                    .orElse(-1);
            figures.put("first_write_ms", firstWrite);
            Map<String, Long> failed = new TreeMap<>();
            samples.stream()
                    .filter(Sample::failed)
                    .forEach(s -> failed.merge(s.kind() + " " + s.status(), 1L, Long::sum));
            figures.put("failed_by_kind", failed);
            long not503 = Verdicts.count(samples, s -> s.failed() && s.status() != 503);
            return List.of(
                    Hypothesis.check(
                            "the agent fails over to " + to + " by itself",
                            failedOver && promoted,
                            failedOver
                                    ? "named " + (detectedAt - faultAt) + " ms, promoted " + (promotedAt - faultAt)
                                            + " ms after the fault"
                                    : "no failover within " + FAILOVER_WITHIN.toSeconds() + " s"),
                    Hypothesis.check(
                            "writes succeed again within " + writesBackWithinMs / 1000 + " s of the fault",
                            firstWrite >= 0 && firstWrite <= writesBackWithinMs,
                            firstWrite < 0 ? "no write succeeded" : "first write " + firstWrite + " ms after it"),
                    Hypothesis.check(
                            "requests that fail get 503, never 500 or no answer",
                            not503 == 0,
                            failed.isEmpty() ? "none failed" : "failed: " + failed),
                    Hypothesis.check(
                            "the old primary takes no write after the promotion (fenced, then a standby)",
                            oldFenced && oldIsStandby,
                            from + " was " + oldState + " when " + to + " was named; "
                                    + (oldIsStandby ? "it is a read-only standby now" : "it is not a standby")),
                    Hypothesis.check(
                            "the old primary rejoins as a standby with no manual step",
                            rejoined,
                            rejoined
                                    ? "streaming " + (rejoinedAt - faultAt) + " ms after the fault"
                                    : "not streaming within " + REJOINED_WITHIN.toSeconds() + " s" + notRejoinedWhy));
        });
    }

    /**
     * With a synchronous standby no acknowledged write may be missing; with an asynchronous one, only writes
     * acknowledged within the lag shown before the fault (and the detection's own second) may be.
     */
    @Override
    public Hypothesis acknowledgedLoss(List<Long> missing, int acknowledged, List<Sample> samples) {
        if (before == null || before.synchronous()) {
            return Drill.super.acknowledgedLoss(missing, acknowledged, samples);
        }
        var lag = before.feed(Switchover.other(before.recordedPrimary()));
        double lagSeconds = lag.map(NodeState.Feed::lagSeconds).orElse(0.0);
        long lagBytes = lag.map(NodeState.Feed::lagBytes).orElse(0L);
        // The window the standby may not have had: the lag shown, plus a second for the detection's own round.
        long windowStart = faultAtMs - Math.round(lagSeconds * 1000) - 1_000;
        var inWindow = samples.stream()
                .filter(s -> s.createdId() > 0 && s.endMs() >= windowStart)
                .map(Sample::createdId)
                .toList();
        boolean bounded = inWindow.containsAll(missing);
        return Hypothesis.check(
                "writes lost (asynchronous standby) are only those within the lag shown before the fault",
                bounded,
                missing.size() + " of " + acknowledged + " missing; the lag was " + lagBytes + " bytes, "
                        + "%.1f s".formatted(lagSeconds)
                        + (missing.isEmpty()
                                ? ""
                                : " (ids " + missing.stream().limit(10).toList() + ")"));
    }

    @Override
    public void restore(DrillContext context) {
        if (primary == null) {
            return;
        }
        Stack stack = context.stack();
        // A frozen node the agent never fenced (no failover) thaws; a killed one the agent did not start again starts.
        if (freeze) {
            container(stack, primary.service())
                    .filter(ServiceContainer::running)
                    .ifPresent(c -> signalPostgres(stack, c.id(), "CONT"));
        }
        container(stack, primary.service()).filter(c -> !c.running()).ifPresent(c -> {
            context.say("starting %s again", c.name());
            stack.engine().start(c.id());
        });
        DrillContext.await(
                REJOINED_WITHIN, () -> Replication.of(stack).problems().isEmpty());
    }

    private static void signalPostgres(Stack stack, String containerId, String signal) {
        var result = stack.engine().exec(containerId, Duration.ofSeconds(10), "bash", "-c", FREEZE, "freeze", signal);
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "could not send SIG" + signal + " to PostgreSQL in " + containerId + ": "
                            + result.output().strip(),
                    "see the container's state: docker inspect " + containerId);
        }
    }

    /** A service's last log lines, one line for a hypothesis's measurement. */
    private static String lastLines(Stack stack, String service) {
        return service + "'s last log lines: "
                + container(stack, service)
                        .map(c -> String.join(
                                " | ",
                                stack.engine()
                                        .logTail(c.id(), 4)
                                        .strip()
                                        .lines()
                                        .toList()))
                        .orElse("(no container)");
    }

    private static Optional<ServiceContainer> container(Stack stack, String node) {
        return stack.engine().containers(stack.project(), node).stream().findFirst();
    }
}
