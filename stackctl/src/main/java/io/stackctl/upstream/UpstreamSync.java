package io.stackctl.upstream;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.nginx.Nginx;
import io.stackctl.nginx.UpstreamRenderer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Keeps nginx's upstream equal to the replicas that should get traffic: renders it from their addresses, applies
 * it with a graceful reload, and drains replicas before they stop. stackctl and the upstream agent both go
 * through here, under one {@link UpstreamLock}, and both skip replicas marked in {@link DrainMarks}.
 */
public final class UpstreamSync {

    public static final String APP = "app";
    public static final String NGINX = "nginx";
    /** The engine's default CPU weight, which every other service of the stack has. */
    public static final int SERVING_CPU_SHARES = 1024;
    /** How long a replica keeps its starting weight: its JVM's start and the JIT compiling what it serves (measured). */
    public static final Duration WARM_AFTER = Duration.ofSeconds(60);

    private final Engine engine;
    private final String project;
    private final Path upstreamDir;
    private final Nginx nginx;
    private final DrainMarks drains;
    /** Replicas given their serving weight by this instance (the agent's lives as long as it runs). */
    private final Set<String> weighed = ConcurrentHashMap.newKeySet();

    public UpstreamSync(Engine engine, String project, Path upstreamDir) {
        this.engine = engine;
        this.project = project;
        this.upstreamDir = upstreamDir;
        this.nginx = new Nginx(engine, upstreamDir.resolve("upstream.conf"));
        this.drains = new DrainMarks(upstreamDir);
    }

    public List<ServiceContainer> runningNginx() {
        return engine.containers(project, NGINX).stream()
                .filter(ServiceContainer::running)
                .toList();
    }

    /** The addresses nginx currently routes to. */
    public List<String> members() {
        return UpstreamRenderer.members(nginx.current());
    }

    /** Points nginx at exactly {@code members} and reloads it (gracefully). */
    public void route(List<ServiceContainer> members) {
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            apply(members);
        }
    }

    /**
     * Re-renders the upstream when it has drifted from the running replicas that are not draining and that
     * {@code serves} accepts. Never to an empty upstream: with no replica to serve, nginx keeps what it has and
     * its passive health answers. Returns the new members, or nothing when the upstream was already right.
     */
    public List<ServiceContainer> reconcile(Predicate<ServiceContainer> serves) {
        List<ServiceContainer> candidates = candidates();
        List<ServiceContainer> dropped = dropGone(candidates);
        // Probing takes up to a second a replica: done before the lock, so stackctl never waits on probes.
        List<ServiceContainer> serving = candidates.stream().filter(serves).toList();
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            // What changed during the probes wins: a replica marked to drain since, or gone, stays out.
            Set<String> still = new HashSet<>(
                    candidates().stream().map(ServiceContainer::id).toList());
            List<ServiceContainer> ready =
                    serving.stream().filter(c -> still.contains(c.id())).toList();
            if (ready.isEmpty() || drift(ready, members()).isEmpty()) {
                return dropped;
            }
            apply(ready);
            return ready;
        }
    }

    /**
     * Takes the replicas named out of rotation at once, from what nginx routes to now, with no look at the engine: the
     * upstream agent's answer to their die events, so a crashed replica's address is gone within a reload of its death
     * however long a look at the engine takes on a busy host. Never to an empty upstream. Returns the members left, or
     * nothing when none of them was a member.
     */
    public List<UpstreamRenderer.Member> dropDead(Set<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            var members = UpstreamRenderer.parse(nginx.current());
            var left = members.stream().filter(m -> !names.contains(m.name())).toList();
            if (left.size() == members.size() || left.isEmpty()) {
                return List.of();
            }
            applyRendered(UpstreamRenderer.render(project, left));
            return left;
        }
    }

    /**
     * Takes out at once, before any probe, the members whose address no candidate has any more (the replica died, or
     * came back on another address): each request nginx sends to a dead address costs its connect timeout, and the
     * probes of the others take up to a second each on a busy host (CI: a killed replica's address stayed in rotation
     * 2.2 s while they ran, and requests waited on it all along). Returns the members left, or nothing when none went.
     */
    private List<ServiceContainer> dropGone(List<ServiceContainer> candidates) {
        Map<String, ServiceContainer> byAddress = new HashMap<>();
        candidates.forEach(c -> byAddress.put(frontendIp(c), c));
        if (byAddress.keySet().containsAll(members())) {
            return List.of(); // the usual round: nothing gone, and no lock taken for it
        }
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            List<String> members = members();
            List<ServiceContainer> left = members.stream()
                    .map(byAddress::get)
                    .filter(Objects::nonNull)
                    .toList();
            if (left.size() == members.size() || left.isEmpty()) {
                return List.of();
            }
            apply(left);
            return left;
        }
    }

    /** The running replicas with an address that are not draining nor held. */
    private List<ServiceContainer> candidates() {
        Set<String> draining = drains.active(Instant.now());
        return engine.containers(project, APP).stream()
                .filter(ServiceContainer::running)
                .filter(c -> !draining.contains(c.id()))
                .filter(c -> c.ipOn("frontend").isPresent())
                .toList();
    }

    /**
     * Takes {@code victims} out of rotation (marked first, so the agent leaves them out too), lets nginx's old
     * workers finish their requests, then stops them with SIGTERM: the app finishes its own in-flight requests
     * within {@code grace} before it exits.
     */
    public void drainAndStop(
            List<ServiceContainer> keep, List<ServiceContainer> victims, Duration drain, Duration grace) {
        beginDrain(keep, victims, drain, grace).finish();
    }

    /**
     * The first half of {@link #drainAndStop}: {@code victims} are marked and out of rotation when this returns, and
     * still running; the returned drain's {@link Drain#finish} stops them. Between the two a caller may do other work
     * (a rolling deploy starts the next batch), and the drain's time counts from here.
     */
    public Drain beginDrain(
            List<ServiceContainer> keep, List<ServiceContainer> victims, Duration drain, Duration grace) {
        List<String> ids = victims.stream().map(ServiceContainer::id).toList();
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            drains.mark(ids, Instant.now());
            apply(keep);
        }
        return new Drain(ids, System.nanoTime() + drain.toNanos(), grace);
    }

    /** Replicas out of rotation and marked, still running, until {@link #finish} stops them. */
    public final class Drain {
        private final List<String> ids;
        private final long drainedAt;
        private final Duration grace;
        private boolean finished;

        private Drain(List<String> ids, long drainedAt, Duration grace) {
            this.ids = ids;
            this.drainedAt = drainedAt;
            this.grace = grace;
        }

        /**
         * Lets nginx's old workers finish their requests (what is left of the drain), then stops the replicas with
         * SIGTERM: the app finishes its own in-flight requests within the grace before it exits. Once only: a second
         * call, from another thread too, waits for the first and returns.
         */
        public synchronized void finish() {
            if (finished) {
                return;
            }
            finished = true;
            try {
                long left = drainedAt - System.nanoTime();
                if (left > 0) {
                    Pause.sleep(Duration.ofNanos(left), "interrupted while draining", "run the command again");
                }
                ids.parallelStream().forEach(id -> engine.stopAndRemove(id, grace));
            } finally {
                try (var lock = UpstreamLock.acquire(upstreamDir)) {
                    drains.unmark(ids);
                }
            }
        }
    }

    /**
     * Clears the marks on {@code replicas}: a command killed while it drained or held them left the marks, which the
     * agent honours until they expire, keeping replicas that should serve out of rotation meanwhile.
     */
    public void unmark(List<ServiceContainer> replicas) {
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            drains.unmark(replicas.stream().map(ServiceContainer::id).toList());
        }
    }

    /**
     * Keeps replicas out of rotation although they are ready (blue/green: the green set waits until the switch).
     * Marks expire like drain marks, so call it again while holding longer than {@link DrainMarks#EXPIRY}.
     */
    public void hold(List<ServiceContainer> replicas) {
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            drains.mark(replicas.stream().map(ServiceContainer::id).toList(), Instant.now());
        }
    }

    /**
     * Blue/green's switch: in one reload nginx goes from the old replicas to {@code serving} (the held green ones
     * released, the old ones marked out); then the old ones drain and stop as in {@link #drainAndStop}.
     */
    public void switchTo(List<ServiceContainer> serving, List<ServiceContainer> old, Duration drain, Duration grace) {
        List<String> oldIds = old.stream().map(ServiceContainer::id).toList();
        try (var lock = UpstreamLock.acquire(upstreamDir)) {
            drains.unmark(serving.stream().map(ServiceContainer::id).toList());
            drains.mark(oldIds, Instant.now());
            apply(serving);
        }
        try {
            Pause.sleep(drain, "interrupted while draining", "run the command again");
            old.parallelStream().forEach(replica -> engine.stopAndRemove(replica.id(), grace));
        } finally {
            try (var lock = UpstreamLock.acquire(upstreamDir)) {
                drains.unmark(oldIds);
            }
        }
    }

    /** Writes the by-hand upstream (every replica by DNS at load time) unless one is already rendered. */
    public void ensureFile() {
        if (nginx.current().isBlank()) {
            nginx.write("server app:8080 " + UpstreamRenderer.PASSIVE_HEALTH + ";\n");
        }
    }

    private void apply(List<ServiceContainer> members) {
        weighWarm(members, Instant.now());
        applyRendered(UpstreamRenderer.render(
                project,
                members.stream()
                        .sorted(Comparator.comparingInt(ServiceContainer::number))
                        .map(c -> new UpstreamRenderer.Member(c.name(), frontendIp(c)))
                        .toList()));
    }

    private void applyRendered(String rendered) {
        var nginxContainers = runningNginx();
        if (nginxContainers.isEmpty()) {
            nginx.write(rendered);
        } else {
            nginx.apply(rendered, nginxContainers);
        }
    }

    /**
     * Gives each replica that has run for {@link #WARM_AFTER} the CPU weight of the stack's other services, once per
     * replica: it started with a quarter of it (compose.yaml's cpu_shares). A JVM starting, and then compiling the
     * paths it serves, takes all the CPU it can get for tens of seconds, and on a small host two of them, started by a
     * scale-out under a spike, stalled the replicas already serving (drill load-spike at 250 req/s on 2 cores: 64 of
     * 19,976 requests failed as their database pools waited; each new replica burned 0.5-0.8 of a core for 20 s after
     * its start, the serving ones 0.1). The weight counts only while the CPUs are all busy: a new replica still gets
     * every cycle the serving ones leave. A container gone meanwhile is tried again at the next call.
     */
    public void weighWarm(List<ServiceContainer> replicas, Instant now) {
        weighed.retainAll(replicas.stream().map(ServiceContainer::id).collect(Collectors.toSet()));
        for (ServiceContainer replica : replicas) {
            boolean warm = replica.running()
                    && replica.startedAt()
                            .map(started -> !started.plus(WARM_AFTER).isAfter(now))
                            .orElse(false);
            if (warm && weighed.add(replica.id())) {
                try {
                    engine.cpuShares(replica.id(), SERVING_CPU_SHARES);
                } catch (RuntimeException e) {
                    weighed.remove(replica.id()); // removed or stopping: the next call settles it
                }
            }
        }
    }

    /**
     * How nginx's upstream differs from the replicas that should serve: one it lacks, or an address none of them
     * has (a replica restarted by its policy, or by an engine restart, often comes back on another address, and
     * that address may now belong to another container). Empty for the by-hand DNS upstream.
     */
    public static List<String> drift(List<ServiceContainer> ready, List<String> members) {
        if (members.stream().anyMatch(m -> !m.matches("[0-9.]+|[0-9a-fA-F:]+"))) {
            return List.of();
        }
        List<String> drift = new ArrayList<>();
        Set<String> addresses = new HashSet<>();
        for (ServiceContainer replica : ready) {
            replica.ipOn("frontend").ifPresent(ip -> {
                addresses.add(ip);
                if (!members.contains(ip)) {
                    drift.add(replica.name() + " (" + ip + ") is not in nginx's upstream");
                }
            });
        }
        members.stream()
                .filter(m -> !addresses.contains(m))
                .forEach(m -> drift.add("nginx's upstream lists " + m + ", which no ready replica has"));
        return drift;
    }

    public static String frontendIp(ServiceContainer container) {
        return container
                .ipOn("frontend")
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        container.name() + " has no address on the frontend network",
                        "recreate it: bin/stackctl up"));
    }
}
