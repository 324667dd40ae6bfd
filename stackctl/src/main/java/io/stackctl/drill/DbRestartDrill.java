package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Stops PostgreSQL for a while and starts it again; the replicas must fail fast and reconnect on their own. */
public final class DbRestartDrill implements Drill {

    static final long FAIL_FAST_MS = 2_000;
    static final long RECOVER_WITHIN_MS = 10_000;

    private ServiceContainer db;

    @Override
    public String name() {
        return "db-restart";
    }

    @Override
    public Outcome inject(DrillContext context) {
        Stack stack = context.stack();
        db = stack.requirePrimaryDb();
        Map<String, Optional<Instant>> started = new LinkedHashMap<>();
        stack.replicas().forEach(r -> started.put(r.id(), r.startedAt()));
        long faultAt = context.load().now();
        stack.engine().stop(db.id(), Duration.ofSeconds(10));
        long downAt = context.load().now();
        context.say("stopped %s in %d ms; holding the outage for %d s", db.name(), downAt - faultAt, outage(context));
        DrillContext.pause(Duration.ofSeconds(outage(context)));
        stack.engine().start(db.id());
        DrillContext.await(Duration.ofSeconds(60), () -> accepting(stack));
        long backAt = context.load().now();
        context.say("%s accepts connections again (%d ms after the stop)", db.name(), backAt - faultAt);
        DrillContext.await(Duration.ofMillis(RECOVER_WITHIN_MS + 10_000), () -> settled(context.load(), backAt));
        long recoveredAt = context.load().now();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("outage_ms", backAt - faultAt);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            var outage = Verdicts.between(samples, faultAt, backAt);
            long failed = Verdicts.count(outage, Sample::failed);
            long not503 = Verdicts.count(outage, s -> s.failed() && s.status() != 503);
            long slowest = Verdicts.maxLatency(outage);
            long lastFailure = Verdicts.between(samples, backAt, Long.MAX_VALUE).stream()
                    .filter(Sample::failed)
                    .mapToLong(s -> s.startMs() - backAt)
                    .max()
                    .orElse(0);
            figures.put("succeeding_again_ms", lastFailure);
            boolean sameProcesses = stack.replicas().stream()
                    .allMatch(r ->
                            started.containsKey(r.id()) && started.get(r.id()).equals(r.startedAt()));
            return List.of(
                    Hypothesis.check(
                            "requests during the outage fail fast: 503, none slower than 2 s",
                            not503 == 0 && slowest <= FAIL_FAST_MS,
                            failed + " failed (" + not503 + " not 503), slowest " + slowest + " ms"),
                    Hypothesis.check(
                            "requests succeed again within 10 s of the database being back",
                            lastFailure <= RECOVER_WITHIN_MS,
                            "last failure " + lastFailure + " ms after it was back"),
                    Hypothesis.check(
                            "no replica was restarted", sameProcesses, sameProcesses ? "same processes" : "restarted"));
        });
    }

    /** A write succeeded since {@code backAt}, and nothing failed in the last second. */
    static boolean settled(LoadGenerator load, long backAt) {
        var samples = load.samples();
        long now = load.now();
        var lastSecond = Verdicts.between(samples, now - 1_000, now);
        return Verdicts.between(samples, backAt, now).stream()
                        .anyMatch(s -> s.kind().equals("create") && s.ok())
                && !lastSecond.isEmpty()
                && lastSecond.stream().noneMatch(Sample::failed);
    }

    private int outage(DrillContext context) {
        return (int) Math.max(3, context.duration().toSeconds());
    }

    private boolean accepting(Stack stack) {
        return accepting(stack, db.id());
    }

    /** PostgreSQL in that container takes connections (pg_isready); false while it starts, recovers or is gone. */
    static boolean accepting(Stack stack, String containerId) {
        try {
            return stack.engine()
                            .exec(containerId, Duration.ofSeconds(3), "pg_isready", "-h", "127.0.0.1", "-q")
                            .exitCode()
                    == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void restore(DrillContext context) {
        if (db != null) {
            context.ensureRunning(Stack.DB, db.id(), () -> accepting(context.stack()));
        }
    }
}
