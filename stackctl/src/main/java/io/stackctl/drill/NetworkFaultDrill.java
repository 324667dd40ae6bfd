package io.stackctl.drill;

import io.stackctl.client.Stats;
import io.stackctl.core.AtOnce;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.NetworkFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A drill whose fault is a broken network path (compose/images/netfault): held for the drill's duration, then
 * healed; undone also when the drill fails or is interrupted, and, if stackctl is killed, by the helper's own time
 * to live and the next command's sweep.
 */
abstract class NetworkFaultDrill implements Drill {

    /** The helper removes its rules by itself this long after the fault's planned end, whatever happens to us. */
    static final Duration TTL_MARGIN = Duration.ofSeconds(60);

    private volatile List<NetworkFaults.Fault> faults = List.of();
    /** When the fault was asked for, on the load's clock: what came before is the baseline, untouched by it. */
    private volatile long askedAt;
    /**
     * When the heal began: the rules go within milliseconds, but the helper's exit and removal take up to a second
     * more, so a window that must see no sign of recovery ends here, not when the heal returned.
     */
    private volatile long healBegunAt;

    /** The containers whose namespaces get the fault, one helper each. */
    abstract List<ServiceContainer> targets(DrillContext context);

    /** One helper's fault: where, how, and to whom. */
    record Planned(ServiceContainer target, NetworkFaults.Mode mode, List<String> peers) {
        boolean latency() {
            return mode instanceof NetworkFaults.Mode.Latency;
        }
    }

    /** Every fault the drill puts in place: the drill's mode, to its peers, in each target (unless it says more). */
    List<Planned> plan(DrillContext context) {
        return targets(context).stream()
                .map(target -> new Planned(target, mode(), peers(context, target)))
                .toList();
    }

    /** The faults in place (healed ones report what their helper said last). */
    List<NetworkFaults.Fault> faults() {
        return faults;
    }

    /** How the path breaks; a black hole (packets vanish, calls hang) unless the drill says otherwise. */
    NetworkFaults.Mode mode() {
        return new NetworkFaults.Mode.BlackHole();
    }

    /** The addresses cut from a target; every peer ("all") unless the drill names some. */
    List<String> peers(DrillContext context, ServiceContainer target) {
        return List.of("all");
    }

    /** Called once the fault is in place; returns when the drill has seen what it waits for (or a bound passed). */
    void during(DrillContext context, long faultAt, Map<String, Object> figures) {}

    /** Called once the fault is healed; returns when the stack has recovered (or a bound passed). */
    void after(DrillContext context, long healedAt, Map<String, Object> figures) {}

    /** The drill's own hypotheses over every sample of the run. */
    abstract List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures);

    @Override
    public final Outcome inject(DrillContext context) {
        var network = new NetworkFaults(context.stack());
        network.ensureImage();
        for (String left : network.sweep()) {
            context.say("%s", left); // a killed run's fault would add to this one
        }
        Duration hold = Duration.ofSeconds(Math.max(5, context.duration().toSeconds()));
        askedAt = context.load().now();
        List<NetworkFaults.Fault> injected = Collections.synchronizedList(new ArrayList<>());
        faults = injected; // what is in place so far is healed by restore() if the rest fails
        List<Planned> plan = plan(context);
        // latencies first, all at once (each waits seconds for its replica's pool handover: 20 s for three in turn),
        // then the rules: a link shaped first would slow the handover's new connections
        Consumer<Planned> inject =
                p -> injected.add(network.inject(p.target(), p.mode(), p.peers(), hold.plus(TTL_MARGIN)));
        AtOnce.each(plan.stream().filter(Planned::latency).toList(), "network-fault", inject);
        AtOnce.each(plan.stream().filter(p -> !p.latency()).toList(), "network-fault", inject);
        faults = List.copyOf(injected);
        long faultAt = context.load().now();
        String what = faults.stream().map(NetworkFaults.Fault::what).collect(Collectors.joining("; "));
        context.say("%s (in place after %d ms); holding it for %d s", what, faultAt - askedAt, hold.toSeconds());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("fault", what);
        long holdUntil = System.nanoTime() + hold.toNanos();
        during(context, faultAt, figures);
        long left = holdUntil - System.nanoTime();
        if (left > 0) {
            DrillContext.pause(Duration.ofNanos(left));
        }
        healBegunAt = context.load().now();
        healAll();
        long healedAt = context.load().now();
        context.say("healed: the rules are gone and the helper removed");
        figures.put("fault_ms", healedAt - faultAt);
        after(context, healedAt, figures);
        long recoveredAt = context.load().now();
        // the phases and the report's window start when the fault was asked for: putting a latency's proxy in the path
        // takes seconds (the app's pool handover), and that is the fault's doing, not the steady state's
        long windowFrom = askedAt;
        return new Outcome(windowFrom, recoveredAt, figures, samples -> judge(samples, faultAt, healedAt, figures));
    }

    @Override
    public final void restore(DrillContext context) {
        healAll();
        new NetworkFaults(context.stack()).sweep();
    }

    /**
     * The rules first (they go at once), then the latencies, all at once: each takes seconds to hand its replica's
     * connections back, and a link still shaped to a low bandwidth would make the new ones too slow to open (measured
     * at 64 kbit/s: 16 s, and the handover gave up).
     */
    private void healAll() {
        List<NetworkFaults.Fault> now;
        var current = faults;
        synchronized (current) { // the injecting threads' list, when Ctrl-C comes mid-inject (the sweep gets the rest)
            now = List.copyOf(current);
        }
        AtOnce.each(
                now.stream()
                        .filter(f -> !(f.mode() instanceof NetworkFaults.Mode.Latency))
                        .toList(),
                "network-fault",
                NetworkFaults.Fault::heal);
        AtOnce.each(
                now.stream()
                        .filter(f -> f.mode() instanceof NetworkFaults.Mode.Latency)
                        .toList(),
                "network-fault",
                NetworkFaults.Fault::heal);
    }

    long askedAt() {
        return askedAt;
    }

    long healBegunAt() {
        return healBegunAt;
    }

    /** Waits (at most {@code within}) for a request sent after {@code fromMs} that matches: what recovery looks like. */
    static void awaitSampleAfter(DrillContext context, long fromMs, Duration within, Predicate<Sample> match) {
        DrillContext.await(
                within,
                () -> Verdicts.firstAfter(context.load().samples(), fromMs, match)
                        .isPresent());
    }

    static Hypothesis noFailures(List<Sample> samples) {
        long failed = Verdicts.count(samples, Sample::failed);
        return Hypothesis.check("0 failed requests", failed == 0, failed + " failed" + firstFailure(samples));
    }

    static String firstFailure(List<Sample> samples) {
        return samples.stream()
                .filter(Sample::failed)
                .findFirst()
                .map(s -> " (first: " + s.describe() + ")")
                .orElse("");
    }

    static long p99(List<Sample> samples) {
        return percentile(samples, 99);
    }

    /** Nearest-rank, as the load's own stats; 0 for no samples (each hypothesis also asks for some). */
    static long percentile(List<Sample> samples, double p) {
        return Stats.percentile(
                samples.stream().mapToLong(Sample::latencyMs).sorted().toArray(), p);
    }
}
