package io.stackctl.client;

import java.time.Duration;
import java.util.List;

/**
 * What one simulation run is told: where the stack is, the arrival rate, how long, the seeded task ids, and how the
 * titles of the tasks it creates begin (so the run's own tasks, and nobody else's, are removed afterwards).
 * Gatling instantiates simulations itself, in this JVM, so the runner hands the plan over through here.
 */
public record BenchPlan(
        ApiAccess api, double ratePerSecond, Duration duration, List<Long> taskIds, String titlePrefix) {

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
