package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.NetworkFaults;
import io.stackctl.stack.Stack;
import java.util.List;
import java.util.Map;

/**
 * The link to Redis drops a share of its packets (default 20%): TCP retransmits stretch some calls past the cache's
 * timeout. No request may fail, and the slowest must stay within the request budget.
 */
public final class CacheLossDrill extends NetworkFaultDrill {

    static final int DEFAULT_LOSS_PERCENT = 20;
    /**
     * Half the request budget (5 s, the drills' hang bound): a read may meet several of the cache's 250 ms timeouts
     * and retransmits before its breaker opens, then a database read. 1 s held on a quiet host (p99 719 ms) and not
     * beside CI's other work (1,133 ms); a limit a busy machine can cross is noise, not a verdict.
     */
    static final long REQUEST_BUDGET_MS = 2_500;

    private final int lossPercent;

    public CacheLossDrill(int lossPercent) {
        this.lossPercent = lossPercent;
    }

    @Override
    public String name() {
        return "cache-loss";
    }

    @Override
    List<ServiceContainer> targets(DrillContext context) {
        return List.of(context.stack().requireService(Stack.CACHE));
    }

    @Override
    NetworkFaults.Mode mode() {
        return new NetworkFaults.Mode.Loss(lossPercent);
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        var during = Verdicts.between(samples, faultAt, healedAt);
        long p99 = p99(during);
        long fromCache = Verdicts.count(during, s -> s.source().equals("cache"));
        figures.put("loss_percent", lossPercent);
        figures.put("p99_during_ms", p99);
        figures.put("reads_from_cache_during", fromCache);
        return List.of(
                noFailures(samples),
                Hypothesis.check(
                        "p99 during the loss within half the request budget (" + REQUEST_BUDGET_MS + " ms)",
                        !during.isEmpty() && p99 <= REQUEST_BUDGET_MS,
                        "p99 " + p99 + " ms over " + during.size() + " requests"));
    }
}
