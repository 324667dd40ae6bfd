package io.stackctl.deploy;

import io.stackctl.compose.Compose;
import io.stackctl.core.Json;
import io.stackctl.core.Pause;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import io.stackctl.upstream.UpstreamSync.Drain;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces the app replicas that run something other than a target release, a batch at a time, start-first:
 * start the new replica(s), wait until /ready answers, put them in nginx, then drain and stop as many old ones.
 * Clients see no gap because capacity never drops and a replica leaves rotation before it stops. A batch whose
 * replicas never get ready, or an error rate through nginx above the limit, fails the rollout with
 * {@link RolloutFailed}; what to do then is the caller's ({@link Deployer} rolls back).
 */
public final class RollingDeploy {

    static final Duration POLL = Duration.ofMillis(500);
    /** Blue/green renews its hold on the new set this often while it waits (marks expire after 2 minutes). */
    static final Duration HOLD_RENEWAL = Duration.ofSeconds(30);
    /** Ready twice in a row, half a second apart: one lucky answer from a replica still warming up is not enough. */
    static final int READY_IN_A_ROW = 2;
    /** A replica that restarts this often while we wait is crash-looping: no point waiting out the timeout. */
    static final int CRASH_LOOP_RESTARTS = 2;

    /**
     * What replicas of a release run: its image and the config hash compose labels them with. A release brought
     * back from its saved settings hashes differently from when it first ran (its image is named by its release
     * tag then), so a target accepts each of its hashes.
     */
    public record Target(Compose compose, String imageId, Set<String> configHashes) {}

    /**
     * @param blueGreen all stale replicas at once: the new set starts beside the old one, held out of rotation until
     *     every new replica is ready, then nginx switches to it in one reload and the old set drains; traffic never
     *     mixes the two (for releases that must not serve side by side). Needs room for twice the replicas.
     * @param metricAnalysis each batch is also judged by the monitoring profile's Prometheus when it runs ({@code
     *     deploy}'s releases; not the rollouts of up, a rotation, a drill or a rollback)
     */
    public record Options(
            int batch,
            Duration readyTimeout,
            double maxErrorRate,
            int minErrors,
            boolean force,
            boolean blueGreen,
            boolean metricAnalysis) {

        public Options(int batch, Duration readyTimeout, double maxErrorRate, int minErrors, boolean force) {
            this(batch, readyTimeout, maxErrorRate, minErrors, force, false, false);
        }

        public Options(
                int batch,
                Duration readyTimeout,
                double maxErrorRate,
                int minErrors,
                boolean force,
                boolean blueGreen) {
            this(batch, readyTimeout, maxErrorRate, minErrors, force, blueGreen, false);
        }

        public Options with(double newMaxErrorRate, int newMinErrors, boolean newForce) {
            return new Options(batch, readyTimeout, newMaxErrorRate, newMinErrors, newForce, blueGreen, metricAnalysis);
        }

        public Options withMetricAnalysis() {
            return new Options(batch, readyTimeout, maxErrorRate, minErrors, force, blueGreen, true);
        }

        public String describe() {
            return (blueGreen ? "blue/green" : "rolling, batch " + batch) + (force ? ", forced" : "");
        }
    }

    /** A rollout that stopped; {@code started} are the replicas its last batch started, ready or not. */
    public static final class RolloutFailed extends RuntimeException {
        private final transient List<ServiceContainer> started;

        RolloutFailed(String reason) {
            this(reason, List.of());
        }

        RolloutFailed(String reason, List<ServiceContainer> started) {
            super(reason);
            this.started = List.copyOf(started);
        }

        public List<ServiceContainer> started() {
            return started;
        }
    }

    private final Stack stack;
    private final PrintWriter progress;

    public RollingDeploy(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
    }

    /** The running replicas that do not run {@code target} (all of them with {@code force}). */
    public List<ServiceContainer> stale(Target target, boolean force) {
        return stack.replicas().stream()
                .filter(c -> force || !runs(c, target))
                .sorted(Comparator.comparingInt(ServiceContainer::number))
                .toList();
    }

    static boolean runs(ServiceContainer replica, Target target) {
        return replica.imageId().equals(target.imageId())
                && target.configHashes().contains(replica.configHash());
    }

    /** Rolls every stale replica over to {@code target}; returns the names of the replicas it replaced. */
    public List<String> roll(Target target, Options options, ErrorWatch watch) {
        return roll(target, options, watch, BatchGate.NONE);
    }

    /** As {@link #roll(Target, Options, ErrorWatch)}, each batch also passing {@code gate} before its old ones stop. */
    List<String> roll(Target target, Options options, ErrorWatch watch, BatchGate gate) {
        List<ServiceContainer> stale = new ArrayList<>(stale(target, options.force()));
        if (options.blueGreen() && !stale.isEmpty()) {
            return switchAll(target, stale, options, watch);
        }
        List<String> replaced = new ArrayList<>();
        // Each batch's old replicas drain and stop while the next batch starts: a deploy of three replicas one at a
        // time no longer waits out two drains and two graceful stops between its starts.
        Drain draining = null;
        try {
            while (!stale.isEmpty()) {
                List<ServiceContainer> batch = List.copyOf(stale.subList(0, Math.min(options.batch(), stale.size())));
                draining = replaceBatch(target, batch, options, watch, gate, draining);
                batch.forEach(c -> replaced.add(c.name()));
                stale.removeAll(batch);
            }
        } catch (RuntimeException e) {
            finishQuietly(draining, e);
            throw e;
        }
        if (draining != null) {
            draining.finish();
        }
        return replaced;
    }

    /**
     * Replaces one batch; returns its old replicas out of rotation and still draining (start-first), for the next
     * batch or the end of the roll to stop, or null when they are stopped already. {@code previous}, the batch
     * before's, is finished here: its stop runs beside this batch's start.
     */
    private Drain replaceBatch(
            Target target,
            List<ServiceContainer> batch,
            Options options,
            ErrorWatch watch,
            BatchGate gate,
            Drain previous) {
        List<ServiceContainer> before = stack.replicas();
        boolean startFirst = roomBeside(before, batch);
        if (previous != null && !startFirst) {
            // No room for this batch beside the replicas still draining: they stop first.
            previous.finish();
            before = stack.replicas();
            startFirst = roomBeside(before, batch);
        }
        Set<String> beforeIds = ids(before);
        long start = System.nanoTime();
        if (!startFirst) {
            stack.drainAndStop(without(before, batch), batch, Scaler.DRAIN);
        }
        // compose counts the replicas it finds: the batch before's stop begins after the scale, never under it.
        target.compose().scaleApp(startFirst ? before.size() + batch.size() : before.size());
        List<ServiceContainer> started;
        List<ServiceContainer> ready;
        try (var stopping = new Stopping(previous)) {
            started = stack.replicas().stream()
                    .filter(c -> !beforeIds.contains(c.id()))
                    .toList();
            if (started.isEmpty()) {
                throw new RolloutFailed("compose started no new replica for the batch " + names(batch));
            }
            try {
                ready = awaitReady(started, options.readyTimeout(), watch, options, () -> {});
            } catch (RolloutFailed e) {
                throw new RolloutFailed(e.getMessage(), started);
            }
        }
        // The batch before's replicas are gone now: never routed again.
        List<ServiceContainer> serving = new ArrayList<>(without(stack.replicas(), startFirst ? List.of() : batch));
        serving.removeIf(c -> !c.healthy() && !ids(ready).contains(c.id()));
        try {
            stack.route(serving);
            checkErrors(watch, options);
        } catch (RolloutFailed e) {
            throw new RolloutFailed(e.getMessage(), started);
        }
        progress.printf(
                "  replaced %s with %s in %.1fs%n", names(batch), names(ready), (System.nanoTime() - start) / 1e9);
        progress.flush();
        Drain draining = startFirst ? stack.beginDrain(without(serving, batch), batch, Scaler.DRAIN) : null;
        try {
            gate.judge(ready, () -> checkErrors(watch, options));
        } catch (RolloutFailed e) {
            if (draining != null) {
                // Marked out but still running: a failed judgement puts them back at once, before the rollback.
                stack.returnToRotation(batch);
            }
            throw new RolloutFailed(e.getMessage(), started);
        }
        return draining;
    }

    /**
     * Start first while capacity allows; at the replica limit, or where PostgreSQL's connections would not cover the
     * extra pools, the batch makes room first.
     */
    private boolean roomBeside(List<ServiceContainer> before, List<ServiceContainer> batch) {
        return before.size() + batch.size() <= Stack.MAX_REPLICAS
                && stack.connectionBudget().fits(before.size(), batch.size());
    }

    private static void finishQuietly(Drain draining, RuntimeException failure) {
        if (draining == null) {
            return;
        }
        try {
            draining.finish();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** A drain finished on a thread of its own while the caller waits for something else; closing joins it. */
    private static final class Stopping implements AutoCloseable {
        private final Thread thread;
        private final RuntimeException[] failure = new RuntimeException[1];

        Stopping(Drain drain) {
            if (drain == null) {
                thread = null;
                return;
            }
            thread = new Thread(
                    () -> {
                        try {
                            drain.finish();
                        } catch (RuntimeException e) {
                            failure[0] = e;
                        }
                    },
                    "stackctl-drain");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            if (thread == null) {
                return;
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RolloutFailed("interrupted while the replicas of the batch before stopped");
            }
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }

    private List<String> switchAll(Target target, List<ServiceContainer> blue, Options options, ErrorWatch watch) {
        List<ServiceContainer> before = stack.replicas();
        if (before.size() + blue.size() > Stack.MAX_REPLICAS) {
            throw new RolloutFailed("blue/green needs room for " + (before.size() + blue.size()) + " replicas (the"
                    + " limit is " + Stack.MAX_REPLICAS + "); deploy with the rolling strategy instead");
        }
        var budget = stack.connectionBudget();
        if (!budget.fits(before.size(), blue.size())) {
            throw new RolloutFailed("blue/green needs up to " + budget.needed(before.size(), blue.size())
                    + " PostgreSQL connections for two sets of pools, and max_connections " + budget.maxConnections()
                    + " leaves " + budget.forReplicas() + "; deploy with the rolling strategy instead");
        }
        Set<String> beforeIds = ids(before);
        long start = System.nanoTime();
        target.compose().scaleApp(before.size() + blue.size());
        List<ServiceContainer> green = stack.replicas().stream()
                .filter(c -> !beforeIds.contains(c.id()))
                .toList();
        // Held before any of them can answer /ready (a JVM takes seconds to start), so the upstream agent never
        // mixes the two sets.
        stack.hold(green);
        if (green.size() != blue.size()) {
            throw new RolloutFailed("compose started " + green.size() + " of " + blue.size() + " new replicas", green);
        }
        List<ServiceContainer> ready;
        try {
            // The hold is renewed while they start: it must outlast any ready timeout, not expire into service.
            long[] held = {System.nanoTime()};
            ready = awaitReady(green, options.readyTimeout(), watch, options, () -> {
                if (System.nanoTime() - held[0] > HOLD_RENEWAL.toNanos()) {
                    stack.hold(green);
                    held[0] = System.nanoTime();
                }
            });
        } catch (RolloutFailed e) {
            throw new RolloutFailed(e.getMessage(), green);
        }
        List<ServiceContainer> serving = new ArrayList<>(without(stack.replicas(), blue));
        serving.removeIf(c -> !c.healthy() && !ids(ready).contains(c.id()));
        stack.switchTo(serving, blue, Scaler.DRAIN);
        progress.printf(
                "  switched nginx from %s to %s in one reload, %.1fs after they started%n",
                names(blue), names(ready), (System.nanoTime() - start) / 1e9);
        progress.flush();
        return names(blue);
    }

    /** Waits until each started replica answers /ready twice in a row; gives up on a crash loop or the timeout. */
    private List<ServiceContainer> awaitReady(
            List<ServiceContainer> started,
            Duration timeout,
            ErrorWatch watch,
            Options options,
            Runnable whileWaiting) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> wanted = ids(started);
        int[] inARow = new int[started.size()];
        while (true) {
            List<ServiceContainer> now = stack.engine().containers(stack.project(), Stack.APP).stream()
                    .filter(c -> wanted.contains(c.id()))
                    .sorted(Comparator.comparingInt(ServiceContainer::number))
                    .toList();
            boolean allReady = now.size() == started.size();
            for (int i = 0; i < now.size(); i++) {
                ServiceContainer replica = now.get(i);
                if (replica.restartCount() >= CRASH_LOOP_RESTARTS
                        || !replica.state().matches("running|created|restarting")) {
                    throw new RolloutFailed(replica.name() + " is crash-looping (" + replica.state() + ", restarted "
                            + replica.restartCount() + " times); its last log lines: " + lastLog(replica));
                }
                boolean readyNow = replica.running()
                        && !replica.health().map("unhealthy"::equals).orElse(false)
                        && replica.ipOn("frontend").isPresent()
                        && stack.readyDirect(replica).ok();
                inARow[i] = readyNow ? inARow[i] + 1 : 0;
                allReady &= inARow[i] >= READY_IN_A_ROW;
            }
            if (allReady) {
                return now;
            }
            checkErrors(watch, options);
            whileWaiting.run();
            if (System.nanoTime() > deadline) {
                ServiceContainer culprit = now.isEmpty() ? started.get(0) : now.get(0);
                throw new RolloutFailed(culprit.name() + " did not answer /ready within " + timeout.toSeconds() + " s ("
                        + culprit.healthText() + "); its last log lines: " + lastLog(culprit));
            }
            Pause.sleep(POLL, "interrupted during the rollout", "run deploy again");
        }
    }

    private static void checkErrors(ErrorWatch watch, Options options) {
        if (watch.exceeded(options.maxErrorRate(), options.minErrors())) {
            throw new RolloutFailed("clients saw errors through nginx: " + watch.summary() + " (over "
                    + Math.round(options.maxErrorRate() * 100) + "%), first: " + watch.firstFailures());
        }
    }

    private String lastLog(ServiceContainer replica) {
        List<String> lines = stack.engine()
                .logTail(replica.id(), 2)
                .lines()
                .map(RollingDeploy::messageOf)
                .distinct()
                .toList();
        return lines.isEmpty() ? "(none)" : String.join(" | ", lines);
    }

    /** The message of a JSON log line (the app logs JSON), else the line itself. */
    static String messageOf(String line) {
        try {
            var node = Json.MAPPER.readTree(line);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: the line as it is
        }
        return line.strip();
    }

    static List<ServiceContainer> without(List<ServiceContainer> all, List<ServiceContainer> leaving) {
        Set<String> gone = ids(leaving);
        return all.stream().filter(c -> !gone.contains(c.id())).toList();
    }

    private static Set<String> ids(List<ServiceContainer> containers) {
        Set<String> ids = new HashSet<>();
        containers.forEach(c -> ids.add(c.id()));
        return ids;
    }

    static List<String> names(List<ServiceContainer> containers) {
        return containers.stream().map(ServiceContainer::name).toList();
    }
}
