package io.stackctl.drill;

import io.stackctl.autoscale.AutoscaleJournal;
import io.stackctl.autoscale.AutoscaleSettings;
import io.stackctl.autoscale.Autoscaler;
import io.stackctl.autoscale.ScalingPolicy;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The load jumps to {@link #FACTOR} times the drill's rate for a minute ({@code --spike}), then falls back: the stack's
 * autoscaler (AUTOSCALE in compose/.env) must add replicas within {@link #OUT_WITHIN} of the jump (or the spike, if
 * shorter), with no request failing meanwhile, and go back to the count before once AUTOSCALE_SCALE_IN_AFTER of quiet
 * has passed, deciding at most once each way. The drill holds the stack's lock as every drill does, and lets the autoscaler in: watching it is the point.
 */
public final class LoadSpikeDrill implements Drill {

    static final int FACTOR = 5;
    public static final Duration SPIKE = Duration.ofSeconds(60);
    /**
     * The shortest spike that can prove anything: the autoscaler decides on a whole {@link ScalingPolicy#WINDOW} of
     * readings above its target, on its {@link Autoscaler#TICK}, and a busy host may take that again (CI: the new
     * replicas counted 19.6 s into the spike).
     */
    public static final Duration MIN_SPIKE = Duration.ofSeconds(40);

    public static final Duration MAX_SPIKE = Duration.ofMinutes(10);
    static final Duration OUT_WITHIN = Duration.ofSeconds(60);
    /** Beyond AUTOSCALE_SCALE_IN_AFTER: its readings' window, the drain and the stop. */
    static final Duration IN_SLACK = Duration.ofSeconds(90);

    static final Duration JOURNAL_WITHIN = Duration.ofSeconds(15);

    private final Duration spike;
    private AutoscaleSettings settings;

    public LoadSpikeDrill() {
        this(SPIKE);
    }

    /** @param spike how long the load stays at {@link #FACTOR} times the rate, {@link #MIN_SPIKE} to {@link #MAX_SPIKE} */
    public LoadSpikeDrill(Duration spike) {
        this.spike = checkSpike(spike);
    }

    /** The spike's length if it is one the drill takes, else IllegalArgumentException saying which it takes. */
    public static Duration checkSpike(Duration spike) {
        if (spike.compareTo(MIN_SPIKE) < 0 || spike.compareTo(MAX_SPIKE) > 0) {
            throw new IllegalArgumentException("--spike must be " + MIN_SPIKE.toSeconds() + "s to "
                    + MAX_SPIKE.toMinutes() + "m (the autoscaler decides on " + ScalingPolicy.WINDOW.toSeconds()
                    + " s of readings), got " + spike.toSeconds() + "s");
        }
        return spike;
    }

    /** Scale-out is awaited while the spike lasts, so the bound is the spike's length if that is shorter. */
    Duration outWithin() {
        return spike.compareTo(OUT_WITHIN) < 0 ? spike : OUT_WITHIN;
    }

    @Override
    public String name() {
        return "load-spike";
    }

    @Override
    public long faultLoadSeconds() {
        return FACTOR * spike.toSeconds() + AutoscaleSettings.LONGEST_SCALE_IN_AFTER.toSeconds() + IN_SLACK.toSeconds();
    }

    /**
     * How long the spike waits: the autoscaler must have watched the steady load for a whole window since its agent
     * started or the count last changed, else the spike's first readings decide alone, and a ramp's low ones size the
     * stack short, a second decision after (CI run 29: 2 -> 3 -> 4, the agent made by `up` seconds before the spike).
     */
    static Duration baselineWait(
            Optional<Instant> agentStarted,
            Optional<Instant> lastDecision,
            Optional<Instant> newestReplica,
            Instant now) {
        Instant since = Stream.of(agentStarted, lastDecision, newestReplica)
                .flatMap(Optional::stream)
                .max(Instant::compareTo)
                .orElse(now.minus(ScalingPolicy.WINDOW).minus(Autoscaler.TICK));
        Instant ready = since.plus(ScalingPolicy.WINDOW).plus(Autoscaler.TICK);
        return now.isBefore(ready) ? Duration.between(now, ready) : Duration.ZERO;
    }

    /** The autoscaler's settings, or exit 3 saying how to turn it on. */
    public static AutoscaleSettings requireAutoscaler(Stack stack) {
        return AutoscaleSettings.of(stack)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "drill load-spike watches the stack's autoscaler, and it is off (AUTOSCALE is not set)",
                        "set AUTOSCALE=2:4 (and AUTOSCALE_TARGET, see docs/stack.md) in compose/.env, run"
                                + " bin/stackctl up, then the drill again"));
    }

    @Override
    public Outcome inject(DrillContext context) {
        settings = requireAutoscaler(context.stack());
        var journal = new AutoscaleJournal(
                context.stack().files().stateDir(), context.stack().project());
        Duration baseline = baselineWait(
                context.stack().containers().stream()
                        .filter(c -> c.service().equals(Stack.AGENT))
                        .flatMap(c -> c.startedAt().stream())
                        .findFirst(),
                journal.last(1).stream().map(AutoscaleJournal.Entry::at).findFirst(),
                context.stack().replicas().stream()
                        .flatMap(r -> r.startedAt().stream())
                        .max(Instant::compareTo),
                Instant.now());
        if (!baseline.isZero()) {
            context.say(
                    "waiting %d s for the autoscaler to watch the steady load for a whole window (%d s) before the"
                            + " spike",
                    baseline.toSeconds(), ScalingPolicy.WINDOW.toSeconds());
            DrillContext.pause(baseline);
        }
        Instant started = Instant.now();
        int before = context.stack().replicas().size();
        var load = context.load();
        long faultAt = load.now();
        load.rate(context.rate() * FACTOR);
        context.say(
                "load %d -> %d req/s for %d s, %d replicas (%s)",
                context.rate(), context.rate() * FACTOR, spike.toSeconds(), before, settings.describe());
        long spikeEnds = System.nanoTime() + spike.toNanos();
        long outAt = -1;
        int peak = before;
        while (System.nanoTime() < spikeEnds) {
            int now = context.stack().replicas().size();
            if (now > before && outAt < 0) {
                outAt = load.now();
                context.say("scaled out to %d replicas %d ms into the spike", now, outAt - faultAt);
            }
            peak = Math.max(peak, now);
            DrillContext.pause(Duration.ofMillis(500));
        }
        load.rate(context.rate());
        long spikeEndAt = load.now();
        context.say(
                "load back to %d req/s; waiting up to %d s for %d replicas again",
                context.rate(), settings.scaleInAfter().plus(IN_SLACK).toSeconds(), before);
        boolean back = DrillContext.await(
                settings.scaleInAfter().plus(IN_SLACK),
                () -> context.stack().replicas().size() <= before);
        long inAt = back ? load.now() : -1;
        if (back) {
            // The autoscaler writes its decision down once the replicas it removed have stopped: a moment after.
            DrillContext.await(
                    JOURNAL_WITHIN, () -> journal.since(started).stream().anyMatch(d -> d.to() < d.from()));
        }
        List<AutoscaleJournal.Entry> decisions = journal.since(started);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("replicas_before", before);
        figures.put("replicas_peak", peak);
        figures.put("spike_rate", context.rate() * FACTOR);
        figures.put("scaled_out_ms", outAt < 0 ? null : outAt - faultAt);
        figures.put("scaled_in_ms_after_spike", inAt < 0 ? null : inAt - spikeEndAt);
        figures.put(
                "decisions",
                decisions.stream()
                        .map(d -> d.from() + " -> " + d.to() + " (" + d.reason() + "): " + d.outcome())
                        .toList());
        long out = outAt;
        Duration outWithin = outWithin();
        return new Outcome(faultAt, back ? inAt : load.now(), figures, samples -> {
            long failed = Verdicts.count(samples, Sample::failed);
            long outs = decisions.stream().filter(d -> d.to() > d.from()).count();
            long ins = decisions.stream().filter(d -> d.to() < d.from()).count();
            return List.of(
                    Hypothesis.check("0 failed requests", failed == 0, failed + " of " + samples.size()),
                    Hypothesis.check(
                            "more replicas within " + outWithin.toSeconds() + " s of the spike",
                            out >= 0 && out - faultAt <= outWithin.toMillis(),
                            out < 0
                                    ? "none during the spike"
                                    : (out - faultAt) + " ms, up to " + figures.get("replicas_peak")),
                    Hypothesis.check(
                            "back to " + before + " replicas within "
                                    + settings.scaleInAfter().plus(IN_SLACK).toSeconds() + " s of the spike's end",
                            back,
                            back
                                    ? (inAt - spikeEndAt) + " ms"
                                    : context.stack().replicas().size() + " replicas still"),
                    Hypothesis.check(
                            "no flapping: at most one decision each way",
                            outs <= 1 && ins <= 1,
                            outs + " out, " + ins + " in"
                                    + (decisions.isEmpty() ? "" : ": " + figures.get("decisions"))));
        });
    }

    /** Nothing to undo: the autoscaler brings the count back by itself once the spike is over. */
    @Override
    public void restore(DrillContext context) {}
}
