package io.stackctl.autoscale;

import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.DesiredReplicas;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.StackLock;
import io.stackctl.upstream.UpstreamSync;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The stack's autoscaler (AUTOSCALE in compose/.env), run by the upstream agent so it works with no stackctl command
 * running: every {@link #TICK} it reads the replicas' load ({@link ReplicaLoad}), asks {@link ScalingPolicy} whether
 * to change the count, and changes it through the same zero-drop path as {@code scale}: new replicas join nginx only
 * once they answer /ready (the agent's own round routes them), removed ones leave nginx, drain, and stop gracefully.
 * It acts only while it holds the project's lock, so it never interleaves with a deploy, a backup or a drill; the one
 * command that lets it in is {@code drill load-spike}, whose point is to watch it.
 */
public final class Autoscaler {

    public static final Duration TICK = Duration.ofSeconds(5);
    static final Duration READY_WITHIN = Duration.ofMinutes(2);
    static final Duration STOP_GRACE = Duration.ofSeconds(25);

    private final Engine engine;
    private final String project;
    private final AutoscaleSettings settings;
    private final UpstreamSync upstream;
    private final Path locksDir;
    private final AutoscaleJournal journal;
    private final DesiredReplicas desired;
    private final ReplicaLoad load;
    private final PrintStream log;
    private final Clock clock;
    private final ScalingPolicy policy;
    private int lastCount = -1;
    private String deferredBy = "";

    public Autoscaler(
            Engine engine,
            String project,
            AutoscaleSettings settings,
            Path upstreamDir,
            Path stateDir,
            Path locksDir,
            Path appSecrets,
            PrintStream log,
            Clock clock) {
        this.engine = engine;
        this.project = project;
        this.settings = settings;
        this.upstream = new UpstreamSync(engine, project, upstreamDir);
        this.locksDir = locksDir;
        this.journal = new AutoscaleJournal(stateDir, project);
        this.desired = new DesiredReplicas(stateDir, project);
        this.load = new ReplicaLoad(engine, appSecrets, settings.target());
        this.log = log;
        this.clock = clock;
        this.policy = new ScalingPolicy(settings, clock.instant());
    }

    /** Runs on a daemon thread of its own; a failed tick is logged and the next one tries again. */
    public void start() {
        log("on: " + settings.describe());
        Thread thread = new Thread(
                () -> {
                    while (true) {
                        try {
                            tick();
                        } catch (RuntimeException e) {
                            log("tick failed, trying again: " + e.getMessage());
                        }
                        try {
                            Thread.sleep(TICK.toMillis());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "autoscaler");
        thread.setDaemon(true);
        thread.start();
    }

    void tick() {
        Instant now = clock.instant();
        List<ServiceContainer> running = running();
        if (running.size() != lastCount) {
            policy.changed(now); // someone scaled (scale, deploy, a crash): start reading again
            lastCount = running.size();
        }
        Set<String> members = new HashSet<>(upstream.members());
        List<ServiceContainer> serving = running.stream()
                .filter(c -> members.contains(c.ipOn("frontend").orElse("")))
                .toList();
        Optional<Observation> reading = load.read(serving, running.size(), now);
        if (reading.isEmpty()) {
            return;
        }
        policy.observe(reading.get()).ifPresent(decision -> act(decision, running));
    }

    private void act(ScalingPolicy.Decision decision, List<ServiceContainer> running) {
        String holder = StackLock.AUTOSCALER + " in the upstream agent: scaling app " + decision.from() + " -> "
                + decision.to() + " since " + clock.instant();
        Optional<StackLock> lock = StackLock.tryAcquire(locksDir, project, holder);
        String current = lock.isPresent() ? "" : StackLock.holder(locksDir, project);
        if (lock.isEmpty() && !admitsAutoscaler(current)) {
            if (!current.equals(deferredBy)) {
                log("wants " + decision.from() + " -> " + decision.to() + " (" + decision.reason()
                        + "); waiting for the command holding the stack's lock: " + current);
                deferredBy = current;
            }
            return;
        }
        deferredBy = "";
        Instant at = clock.instant();
        log("scaling app " + decision.from() + " -> " + decision.to() + ": " + decision.reason());
        String outcome;
        try {
            outcome = decision.out() ? scaleOut(decision.to(), running) : scaleIn(decision.to(), running);
            desired.set(decision.to());
        } catch (RuntimeException e) {
            outcome = "failed: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            log("the change failed:" + stackOf(e));
        } finally {
            lock.ifPresent(StackLock::close);
        }
        log("app " + decision.from() + " -> " + decision.to() + ": " + outcome);
        journal.add(new AutoscaleJournal.Entry(at, decision.from(), decision.to(), decision.reason(), outcome));
        lastCount = running().size();
        policy.changed(clock.instant());
    }

    /** {@code drill load-spike} holds the lock to watch the autoscaler, and lets it act. */
    static boolean admitsAutoscaler(String holder) {
        return holder.endsWith(StackLock.ADMITS_AUTOSCALER);
    }

    private String scaleOut(int target, List<ServiceContainer> running) {
        ServiceContainer source = running.get(running.size() - 1);
        int next = running.stream().mapToInt(ServiceContainer::number).max().orElse(0) + 1;
        List<String> added = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int n = running.size(); n < target; n++) {
                added.add(engine.cloneReplica(source.id(), next++));
            }
            awaitServing(added);
        } catch (RuntimeException e) {
            added.forEach(engine::remove);
            throw e;
        }
        return "done, " + added.size() + " replica(s) serving after " + (System.nanoTime() - started) / 1_000_000
                + " ms";
    }

    /** Until every new replica is in nginx's upstream: the agent's round puts it there once it answers /ready. */
    private void awaitServing(List<String> ids) {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (true) {
            Set<String> members = new HashSet<>(upstream.members());
            List<ServiceContainer> added = engine.containers(project, UpstreamSync.APP).stream()
                    .filter(c -> ids.contains(c.id()))
                    .toList();
            if (added.size() == ids.size()
                    && added.stream()
                            .allMatch(c -> members.contains(c.ipOn("frontend").orElse("")))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the new replicas were not serving within " + READY_WITHIN.toSeconds()
                        + " s (states: "
                        + added.stream()
                                .map(c -> c.name() + " " + c.healthText())
                                .toList()
                        + "); removed them");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the new replicas started");
            }
        }
    }

    private String scaleIn(int target, List<ServiceContainer> running) {
        List<ServiceContainer> keep = running.subList(0, target);
        List<ServiceContainer> victims = running.subList(target, running.size());
        upstream.drainAndStop(keep, victims, Scaler.DRAIN, STOP_GRACE);
        return "done, drained and stopped "
                + victims.stream().map(ServiceContainer::name).toList();
    }

    /** The app's running replicas, lowest compose number first (scale-in removes from the end, as compose does). */
    private List<ServiceContainer> running() {
        return engine.containers(project, UpstreamSync.APP).stream()
                .filter(ServiceContainer::running)
                .sorted(Comparator.comparingInt(ServiceContainer::number))
                .toList();
    }

    private static String stackOf(Throwable e) {
        var trace = new StringBuilder(" ").append(e);
        for (StackTraceElement frame : e.getStackTrace()) {
            trace.append("\n    at ").append(frame);
        }
        return trace.toString();
    }

    private void log(String message) {
        log.println(clock.instant() + " autoscaler " + message);
        log.flush();
    }
}
