package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stops Redis for a while: every answer must then come from PostgreSQL, and hits must resume after. */
public final class CacheOutageDrill implements Drill {

    static final long HITS_RESUME_WITHIN_MS = 10_000;

    private ServiceContainer cache;

    @Override
    public String name() {
        return "cache-outage";
    }

    @Override
    public Outcome inject(DrillContext context) {
        Stack stack = context.stack();
        cache = stack.requireService(Stack.CACHE);
        long faultAt = context.load().now();
        stack.engine().stop(cache.id(), Duration.ofSeconds(5));
        long downAt = context.load().now();
        int outage = (int) Math.max(3, context.duration().toSeconds());
        context.say("stopped %s; holding the outage for %d s", cache.name(), outage);
        DrillContext.pause(Duration.ofSeconds(outage));
        long restartAt = context.load().now();
        stack.engine().start(cache.id());
        DrillContext.await(Duration.ofSeconds(60), () -> answering(stack));
        long backAt = context.load().now();
        context.say("%s answers PING again", cache.name());
        boolean resumed = DrillContext.await(
                Duration.ofMillis(HITS_RESUME_WITHIN_MS + 10_000),
                () -> Verdicts.firstAfter(
                                context.load().samples(),
                                backAt,
                                s -> s.source().equals("cache"))
                        .isPresent());
        long recoveredAt = context.load().now();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("outage_ms", backAt - downAt);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            long failed = Verdicts.count(Verdicts.between(samples, faultAt, Long.MAX_VALUE), Sample::failed);
            // A read still in flight when Redis starts again may meet the cache back: only those that ended count.
            var outageReads = Verdicts.endedWithin(samples, downAt, restartAt).stream()
                    .filter(s -> s.kind().equals("read") && s.ok())
                    .toList();
            long fromCache = Verdicts.count(outageReads, s -> s.source().equals("cache"));
            long hitsAfter = Verdicts.firstAfter(
                            samples, backAt, s -> s.source().equals("cache"))
                    .orElse(-1L);
            figures.put("hits_resumed_ms", hitsAfter);
            return List.of(
                    Hypothesis.check("0 failed requests", failed == 0, failed + " failed"),
                    Hypothesis.check(
                            "reads during the outage are answered from the database",
                            !outageReads.isEmpty() && fromCache == 0,
                            outageReads.size() + " reads, " + fromCache + " claimed the cache"),
                    Hypothesis.check(
                            "cache hits resume within 10 s of Redis being back",
                            resumed && hitsAfter >= 0 && hitsAfter <= HITS_RESUME_WITHIN_MS,
                            hitsAfter >= 0 ? "first hit " + hitsAfter + " ms after" : "no hit seen"));
        });
    }

    private boolean answering(Stack stack) {
        try {
            var result =
                    stack.engine().exec(cache.id(), Duration.ofSeconds(3), "sh", "/stack/cache/ops-cli.sh", "ping");
            return result.exitCode() == 0 && result.output().contains("PONG");
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void restore(DrillContext context) {
        if (cache != null) {
            context.ensureRunning(Stack.CACHE, cache.id(), () -> answering(context.stack()));
        }
    }
}
