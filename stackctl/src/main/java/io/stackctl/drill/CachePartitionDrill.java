package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Redis cut off from every replica (its packets vanish: calls hang rather than fail, the harder case than a stopped
 * Redis): the replicas must stop waiting on it, answer from PostgreSQL, and use the cache again once it is back.
 */
public final class CachePartitionDrill extends NetworkFaultDrill {

    static final long HITS_RESUME_WITHIN_MS = 10_000;

    @Override
    public String name() {
        return "cache-partition";
    }

    @Override
    List<ServiceContainer> targets(DrillContext context) {
        return List.of(context.stack().requireService(Stack.CACHE));
    }

    @Override
    void after(DrillContext context, long healedAt, Map<String, Object> figures) {
        awaitSampleAfter(
                context,
                healedAt,
                Duration.ofMillis(HITS_RESUME_WITHIN_MS + 10_000),
                s -> s.source().equals("cache"));
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        // Reads begun a second into the fault (by then each replica's breaker has had its failed calls) and answered
        // before the heal began (a read in the second the helper takes to go may rightly meet the cache again).
        var partitionReads = Verdicts.endedWithin(samples, faultAt + 1_000, healBegunAt()).stream()
                .filter(s -> s.kind().equals("read") && s.ok())
                .toList();
        long fromCache = Verdicts.count(partitionReads, s -> s.source().equals("cache"));
        long hitsAfter = Verdicts.firstAfter(samples, healedAt, s -> s.source().equals("cache"))
                .orElse(-1L);
        figures.put("hits_resumed_ms", hitsAfter);
        figures.put("p99_during_ms", p99(Verdicts.between(samples, faultAt, healedAt)));
        return List.of(
                noFailures(samples),
                Hypothesis.check(
                        "reads during the partition are answered from the database",
                        !partitionReads.isEmpty() && fromCache == 0,
                        partitionReads.size() + " reads, " + fromCache + " claimed the cache"),
                Hypothesis.check(
                        "cache hits resume within 10 s of the partition's end",
                        hitsAfter >= 0 && hitsAfter <= HITS_RESUME_WITHIN_MS,
                        hitsAfter >= 0 ? "first hit " + hitsAfter + " ms after" : "no hit seen"));
    }
}
