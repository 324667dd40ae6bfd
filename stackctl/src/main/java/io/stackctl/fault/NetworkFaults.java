package io.stackctl.fault;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network faults in one container's network namespace, as Pumba injects them: a helper container (compose/images/
 * netfault) joins the target's namespace with NET_ADMIN and holds iptables rules in a chain of its own. The host's
 * firewall is never touched. The fault cannot outlive its purpose: the helper removes its rules on SIGTERM and by
 * itself after a time to live (a killed stackctl leaves at most that), and every helper is labelled with the
 * project, so {@link #sweep} (run by the next stackctl command and by health) finds what any run left, removes it,
 * and clears the namespace of a helper that was killed before it could.
 */
public final class NetworkFaults {

    public static final String IMAGE = "stackctl/netfault:latest";
    static final String ROLE_LABEL = "io.stackctl.fault";
    static final String PROJECT_LABEL = "io.stackctl.fault.project";
    static final String TARGET_LABEL = "io.stackctl.fault.target";
    static final String TARGET_NAME_LABEL = "io.stackctl.fault.target-name";
    static final String WHAT_LABEL = "io.stackctl.fault.what";
    static final String MODE_LABEL = "io.stackctl.fault.mode";
    /** The app's log line (JSON) once a SIGHUP's reconnect ended, either way: its time and message. */
    static final Pattern RECONNECT_LOG = Pattern.compile(
            "\"timestamp\":\"([^\"]+)\",\"message\":\"((?:database and cache connections opened again|SIGHUP: the new)[^\"]*)\"");
    /** Set by the app's image: what its SIGHUP does. */
    static final String SIGHUP_LABEL = "io.stackctl.sighup";

    static final Duration APPLY_WITHIN = Duration.ofSeconds(30);
    /**
     * A latency's helper hands the app's connections back before its proxy ends (the old pool drains within 10 s:
     * HandoverDataSource.DRAIN_WITHIN); the others end at once.
     */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /** How the path is broken: packets vanish (connections hang), are refused (fail fast), or some are lost. */
    public sealed interface Mode {
        String argument();

        String describe();

        record BlackHole() implements Mode {
            public String argument() {
                return "drop";
            }

            public String describe() {
                return "partition (packets dropped: connections hang)";
            }
        }

        record Reset() implements Mode {
            public String argument() {
                return "reject";
            }

            public String describe() {
                return "partition (TCP reset: connections fail fast)";
            }
        }

        /**
         * The server's answers delayed by {@code latencyMs} +/- {@code jitterMs} (a proxy in the path: its peer is one
         * ADDRESS:PORT[,PORT...]). Connections the target already holds are opened again through it (SIGHUP to the app).
         */
        record Latency(int latencyMs, int jitterMs) implements Mode {
            public Latency {
                if (latencyMs < 1 || latencyMs > 60_000) {
                    throw new IllegalArgumentException("latency must be 1 ms to 60 s, not " + latencyMs + " ms");
                }
                if (jitterMs < 0 || jitterMs > latencyMs) {
                    throw new IllegalArgumentException(
                            "jitter must be 0 to the latency (" + latencyMs + " ms), not " + jitterMs + " ms");
                }
            }

            public String argument() {
                return "delay:" + latencyMs + ":" + jitterMs;
            }

            public String describe() {
                return latencyMs + " ms" + (jitterMs > 0 ? " +/- " + jitterMs + " ms" : "") + " of added latency";
            }
        }

        /** What the target sends to the peers shaped to {@code kbit} kbit/s (egress: one side of the link). */
        record Bandwidth(int kbit) implements Mode {
            public Bandwidth {
                if (kbit < 8 || kbit > 10_000_000) {
                    throw new IllegalArgumentException(
                            "bandwidth must be 8 kbit/s to 10 Gbit/s, not " + kbit + " kbit/s");
                }
            }

            public String argument() {
                return "rate:" + kbit;
            }

            public String describe() {
                return "bandwidth limited to " + kbit + " kbit/s";
            }
        }

        record Loss(int percent) implements Mode {
            public Loss {
                if (percent < 1 || percent > 100) {
                    throw new IllegalArgumentException("packet loss must be 1-100%, not " + percent + "%");
                }
            }

            public String argument() {
                return "loss:" + percent;
            }

            public String describe() {
                return percent + "% packet loss";
            }
        }
    }

    /** A fault in place; {@link #heal()} removes it and says whether the namespace is clean again. */
    public final class Fault {
        private final String helperId;
        private final ServiceContainer target;
        private final String what;
        private final Mode mode;
        private boolean healed;
        private String lastWords = "";

        private Fault(String helperId, ServiceContainer target, String what, Mode mode) {
            this.helperId = helperId;
            this.target = target;
            this.what = what;
            this.mode = mode;
        }

        public Mode mode() {
            return mode;
        }

        public String what() {
            return what;
        }

        public ServiceContainer target() {
            return target;
        }

        /** Stops the helper (its trap removes the rules); clears the namespace itself if the helper could not. */
        public synchronized void heal() {
            if (healed) {
                return;
            }
            lastWords = removeHelper(
                    new Engine.Helper(helperId, helperId, true, Optional.empty(), labels(target, what, mode)));
            healed = true;
        }

        /** What the helper printed last, once healed: its undo's report (a shaper's "limited eth0: Sent ..."). */
        public synchronized String lastWords() {
            return lastWords;
        }
    }

    private final Stack stack;
    private final Engine engine;

    public NetworkFaults(Stack stack) {
        this.stack = stack;
        this.engine = stack.engine();
    }

    /** Builds the helper image from compose/images/netfault on the stack's db image (cached layers: about a second). */
    public void ensureImage() {
        Path context = stack.files().composeDir().resolve("images").resolve("netfault");
        if (!Files.isRegularFile(context.resolve("Dockerfile"))) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "no fault helper recipe at " + context,
                    "run stackctl from a complete checkout (compose/images/netfault is part of it)");
        }
        engine.buildImage(context, IMAGE, Map.of("BASE_IMAGE", stack.settings().dbImage()));
    }

    /**
     * Breaks {@code target}'s network to each of {@code peers} (addresses; "all" for every peer; one ADDRESS:PORT[,PORT...]
     * for a latency) in the given mode, for at most {@code ttl}; returns once the fault is in place. Faults of a killed
     * run are not looked for here: {@link #sweep} them first.
     */
    public Fault inject(ServiceContainer target, Mode mode, List<String> peers, Duration ttl) {
        String what = mode.describe() + " between " + target.name() + " and "
                + (peers.equals(List.of("all")) ? "every peer" : String.join(", ", peers));
        List<String> command =
                new ArrayList<>(List.of("hold", Long.toString(Math.max(1, ttl.toSeconds())), mode.argument()));
        command.addAll(peers);
        boolean latency = mode instanceof Mode.Latency;
        if (latency) {
            requireReconnectOnHangup(target);
        }
        Instant asked = Instant.now();
        String id = engine.startBeside(new Engine.HelperSpec(
                target.id(),
                latency,
                IMAGE,
                helperName(target),
                labels(target, what, mode),
                latency ? Map.of("RECONNECT_SIGNAL", "HUP") : Map.of(),
                List.of("NET_ADMIN"),
                command));
        var fault = new Fault(id, target, what, mode);
        long deadline = System.nanoTime() + APPLY_WITHIN.toNanos();
        while (true) {
            String log = engine.logTail(id, 20);
            if (log.contains("applied ")) {
                if (latency) {
                    awaitReconnected(fault, asked, deadline);
                }
                return fault;
            }
            boolean running = engine.helpers(Map.of(ROLE_LABEL, "netfault", PROJECT_LABEL, stack.project())).stream()
                    .anyMatch(h -> h.id().equals(id) && h.running());
            if (!running || System.nanoTime() > deadline) {
                fault.heal();
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "the fault helper could not apply " + what + ": " + OneShotHelper.lastLines(log),
                        "the helper needs NET_ADMIN in the target's namespace and iptables in its image; see docker"
                                + " logs of a run by hand: docker run --rm --network container:" + target.name()
                                + " --cap-add NET_ADMIN " + IMAGE + " hold 5 drop all");
            }
            OneShotHelper.pause(Duration.ofMillis(100));
        }
    }

    /**
     * Removes every fault helper of this project, running or exited, and clears the rules of any that did not
     * remove its own. Returns what it found, one line each (empty when nothing was left).
     */
    public List<String> sweep() {
        List<String> found = new ArrayList<>();
        // rules first, latencies last: a link still shaped would slow the connections a latency's undo opens
        var helpers = engine.helpers(Map.of(ROLE_LABEL, "netfault", PROJECT_LABEL, stack.project())).stream()
                .sorted(Comparator.comparing((Engine.Helper h) ->
                        h.labels().getOrDefault(MODE_LABEL, "").startsWith("delay:")))
                .toList();
        for (var helper : helpers) {
            String what = helper.labels().getOrDefault(WHAT_LABEL, "a network fault");
            found.add((helper.running() ? "a fault still in place, removed: " : "a fault helper left behind, removed: ")
                    + what);
            removeHelper(helper);
        }
        // a clear run whose stackctl was killed while it waited: it finished by itself, only the container is left
        engine.helpers(Map.of(PROJECT_LABEL + ".clear", stack.project())).stream()
                .filter(h -> !h.running())
                .forEach(h -> engine.remove(h.id()));
        return found;
    }

    /** Stops and removes a helper; returns the end of what it printed (its undo's report). */
    private String removeHelper(Engine.Helper helper) {
        if (helper.running() || helper.exitCode().isEmpty()) {
            try {
                engine.stop(helper.id(), STOP_GRACE);
            } catch (RuntimeException gone) {
                // removed meanwhile
            }
        }
        var after = engine.helpers(Map.of(ROLE_LABEL, "netfault", PROJECT_LABEL, stack.project())).stream()
                .filter(h -> h.id().equals(helper.id()))
                .findFirst();
        boolean cleanExit =
                after.flatMap(Engine.Helper::exitCode).map(code -> code == 0).orElse(false);
        String targetId = after.map(h -> h.labels().get(TARGET_LABEL))
                .orElse(helper.labels().get(TARGET_LABEL));
        String log = after.isPresent() ? engine.logTail(helper.id(), 20) : "";
        engine.remove(helper.id());
        if (!cleanExit && targetId != null) {
            clear(targetId);
        }
        return log;
    }

    /** Runs the helper's clear in the target's namespace: for a helper killed before its trap ran. */
    private void clear(String targetId) {
        boolean targetRuns = stack.containers().stream().anyMatch(c -> c.id().equals(targetId) && c.running());
        if (!targetRuns) {
            return; // a stopped or removed container's namespace, and its rules, are gone with it
        }
        String name = "stackctl-netfault-clear-" + targetId.substring(0, Math.min(12, targetId.length()));
        var finished = OneShotHelper.run(
                engine,
                new Engine.HelperSpec(
                        targetId,
                        false,
                        IMAGE,
                        name,
                        Map.of(PROJECT_LABEL + ".clear", stack.project()),
                        Map.of(),
                        List.of("NET_ADMIN"),
                        List.of("clear")),
                APPLY_WITHIN);
        if (!finished.clean()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "could not clear a fault's iptables rules in container " + targetId + ": " + finished.log(),
                    "restart that container (its network namespace goes with it): docker restart " + targetId);
        }
    }

    /**
     * The fault is in place once the app's new pool, whose connections go through the proxy, took over: the app says
     * so in its log (Main.reconnectOnHangup). Until then the old connections bypass the proxy.
     */
    private void awaitReconnected(Fault fault, Instant since, long deadline) {
        String target = fault.target().id();
        while (System.nanoTime() < deadline) {
            for (String line : engine.logTail(target, 50).split("\n")) {
                Matcher hup = RECONNECT_LOG.matcher(line);
                if (hup.find() && !Instant.parse(hup.group(1)).isBefore(since)) {
                    if (hup.group(2).startsWith("SIGHUP: the new")) {
                        fault.heal();
                        throw new StackctlException(
                                ExitCodes.FAILED,
                                fault.target().name() + " could not open its database connections through the"
                                        + " latency proxy in time, so it kept its direct ones: " + hup.group(2),
                                "a smaller --latency (each connection takes several round trips), or see: bin/stackctl"
                                        + " logs app");
                    }
                    return;
                }
            }
            OneShotHelper.pause(Duration.ofMillis(100));
        }
        fault.heal();
        throw new StackctlException(
                ExitCodes.FAILED,
                fault.target().name() + " did not report its connections opened again within "
                        + APPLY_WITHIN.toSeconds() + " s of SIGHUP",
                "see what it logged: bin/stackctl logs app");
    }

    /**
     * A proxy put in the path carries only connections opened after it: the app's pooled ones must be opened again,
     * which its SIGHUP does. An image that does not say so (its label) may take SIGHUP as the JVM does: exit.
     */
    private void requireReconnectOnHangup(ServiceContainer target) {
        String sighup = engine.labelsOf(target.id()).getOrDefault(SIGHUP_LABEL, "");
        if (!sighup.equals("reconnect")) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    target.name() + " runs an app image that cannot reopen its connections on SIGHUP (label "
                            + SIGHUP_LABEL + " is '" + sighup + "'), so a proxy in its path would carry no traffic",
                    "deploy the app image built from this checkout (bin/stackctl deploy), then run the drill again");
        }
    }

    private Map<String, String> labels(ServiceContainer target, String what, Mode mode) {
        return Map.of(
                ROLE_LABEL, "netfault",
                PROJECT_LABEL, stack.project(),
                TARGET_LABEL, target.id(),
                TARGET_NAME_LABEL, target.name(),
                WHAT_LABEL, what,
                MODE_LABEL, mode.argument());
    }

    private String helperName(ServiceContainer target) {
        return "stackctl-netfault-" + target.name();
    }
}
