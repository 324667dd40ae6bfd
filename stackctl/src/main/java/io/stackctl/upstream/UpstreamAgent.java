package io.stackctl.upstream;

import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.HttpProbe;
import io.stackctl.health.ReplicaHealth;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keeps nginx's upstream right with no stackctl command running, as docker-gen and Traefik do: it runs in the
 * stack as its own service, wakes on every lifecycle event of the project's containers (a replica died, started,
 * changed health) and at least every {@link #RESYNC}, and re-renders the upstream when it has drifted. A replica
 * serves when it runs, is not draining, is not unhealthy, and answers {@code /ready} ({@link ReplicaStrikes}). Only
 * this service holds the engine's socket; the app never sees it, and it is never published on a network.
 */
public final class UpstreamAgent {

    /**
     * A round at least this often. It used to be 2 s, and the agent looked quicker than that only because every
     * health check's exec woke it, several times a second; once it woke on lifecycle events alone, a replica cut off
     * from the database left the rotation 5 s after the cut instead of 2.4 s.
     */
    static final Duration RESYNC = Duration.ofSeconds(1);
    /**
     * The next round after a replica in rotation failed one probe: at once (after the short pause every round has),
     * to confirm or clear it, as HAProxy's fastinter does. A cut-off replica's probe takes its whole timeout, so two
     * in a row are already 2 s; 250 ms more between them measured 2.6-3.4 s out of rotation.
     */
    static final Duration SUSPECT_RESYNC = Duration.ZERO;

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    /** The exit status of an agent its watchdog ended (EX_SOFTWARE). */
    static final int EXIT_STUCK = 70;

    private final Engine engine;
    private final String project;
    private final UpstreamSync sync;
    private final ScrapeTargets scrapeTargets;
    private final Path heartbeat;
    private final PrintStream log;
    private final HttpProbe probe = new HttpProbe(PROBE_TIMEOUT);
    private final ReplicaStrikes strikes = new ReplicaStrikes();
    private final Semaphore wake = new Semaphore(0);
    /** Replicas the engine reported dead since the last round, by name: out of rotation first thing in the next. */
    private final Queue<String> died = new ConcurrentLinkedQueue<>();

    private volatile boolean streamEnded;

    public UpstreamAgent(Engine engine, String project, Path upstreamDir, Path heartbeat, PrintStream log) {
        this.engine = engine;
        this.project = project;
        this.sync = new UpstreamSync(engine, project, upstreamDir);
        this.scrapeTargets = new ScrapeTargets(upstreamDir.resolve("monitoring"));
        this.heartbeat = heartbeat;
        this.log = log;
    }

    /** Runs until interrupted (the container's SIGTERM); a failed round is logged and tried again. */
    public void run() throws InterruptedException {
        log("watching project " + project + " (resync every " + RESYNC.toMillis() + " ms)");
        Thread main = Thread.currentThread();
        var watchdog = new AgentWatchdog(AgentWatchdog.LIMIT, System::nanoTime);
        watchdog.start(stuck -> {
            log("no round completed in " + stuck.toSeconds() + " s; exiting so the engine restarts the agent."
                    + " The round was at:" + stackOf(main));
            Runtime.getRuntime().halt(EXIT_STUCK);
        });
        Closeable events = null;
        while (!Thread.currentThread().isInterrupted()) {
            if (streamEnded) {
                closeQuietly(events);
                events = null;
            }
            if (events == null) {
                streamEnded = false;
                events = subscribe();
            }
            try {
                roundOnce();
            } catch (RuntimeException e) {
                log("round failed, trying again: " + e.getMessage());
                closeQuietly(events);
                events = null; // the engine may have restarted under us
            }
            beat();
            watchdog.beat();
            wake.tryAcquire((strikes.suspect() ? SUSPECT_RESYNC : RESYNC).toMillis(), TimeUnit.MILLISECONDS);
            // Events come in bursts (die, stop, destroy): a short pause lets one round see them all.
            Thread.sleep(100);
            wake.drainPermits();
        }
        closeQuietly(events);
    }

    /**
     * One look at the replicas: when the upstream drifted, one re-render and reload; when a replica came or went, the
     * monitoring profile's scrape targets.
     */
    void roundOnce() {
        Set<String> dead = new HashSet<>();
        for (String name; (name = died.poll()) != null; ) {
            dead.add(name);
        }
        var dropped = sync.dropDead(dead);
        if (!dropped.isEmpty()) {
            log("upstream re-rendered on a replica's death " + dead + ": " + dropped.size() + " member(s) left");
        }
        var changed = sync.reconcile(this::serves);
        var replicas = engine.containers(project, UpstreamSync.APP);
        sync.weighWarm(replicas, Instant.now());
        strikes.retain(replicas.stream().map(ServiceContainer::id).collect(Collectors.toSet()));
        if (!changed.isEmpty()) {
            log("upstream re-rendered: " + describe(changed));
        }
        if (scrapeTargets.write(replicas)) {
            log("scrape targets written: " + replicas.size() + " replica(s)");
        }
    }

    private boolean serves(ServiceContainer replica) {
        if (replica.health().map("unhealthy"::equals).orElse(false)) {
            return false;
        }
        String ip = replica.ipOn("frontend").orElse("");
        boolean ready = probe.get(ReplicaHealth.url(ip, "/ready")).ok();
        return strikes.record(replica.id(), replica.startedAt(), ready);
    }

    private Closeable subscribe() {
        try {
            return engine.onContainerEvents(
                    project,
                    event -> {
                        if (event.died() && UpstreamSync.APP.equals(event.service())) {
                            died.add(event.name());
                        }
                        wake.release();
                    },
                    () -> {
                        streamEnded = true;
                        wake.release();
                    });
        } catch (RuntimeException e) {
            log("cannot subscribe to engine events (" + e.getMessage() + "); polling");
            return null;
        }
    }

    private void beat() {
        beat(heartbeat, this::log);
    }

    /** Writes the time to the file the agent's healthcheck reads; says why when it cannot. */
    public static void beat(Path heartbeat, java.util.function.Consumer<String> log) {
        try {
            Files.writeString(heartbeat, Instant.now().toString());
        } catch (IOException e) {
            log.accept("cannot write heartbeat " + heartbeat + ": " + e.getMessage());
        }
    }

    private static String describe(List<ServiceContainer> members) {
        Set<String> names = members.stream()
                .map(c -> c.name() + "=" + c.ipOn("frontend").orElse("?"))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        return members.size() + " member(s) " + names;
    }

    private void log(String message) {
        log.println(Instant.now() + " upstream-agent " + message);
        log.flush();
    }

    private static String stackOf(Thread thread) {
        var trace = new StringBuilder();
        for (StackTraceElement frame : thread.getStackTrace()) {
            trace.append("\n    at ").append(frame);
        }
        return trace.toString();
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing to release
        }
    }
}
