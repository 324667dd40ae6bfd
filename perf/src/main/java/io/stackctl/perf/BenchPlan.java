package io.stackctl.perf;

import java.time.Duration;
import java.util.List;

/**
 * What one simulation run is told: where the stack is, the arrival rate, how long, and the seeded task ids.
 * Gatling instantiates simulations itself, in this JVM, so the runner hands the plan over through here.
 */
public record BenchPlan(ApiAccess api, double ratePerSecond, Duration duration, List<Long> taskIds) {

    public String baseUrl() {
        return api.baseUrl();
    }

    private static volatile BenchPlan current;

    public static void set(BenchPlan plan) {
        current = plan;
    }

    public static BenchPlan current() {
        if (current == null) {
            throw new IllegalStateException("no bench plan: simulations are started by BenchRunner");
        }
        return current;
    }
}
