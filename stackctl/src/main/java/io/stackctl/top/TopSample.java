package io.stackctl.top;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One refresh of {@code top}: every app replica that exists (from the engine, so a replica {@code scale} just added is
 * listed at once, its figures following from its first scrape), the stack's figures, and the db's and the cache's
 * state. {@code at} is when the engine was asked for the replicas; {@code windowSeconds} what the rates are over.
 */
public record TopSample(
        Instant at,
        String source,
        double windowSeconds,
        List<Replica> replicas,
        Figures stack,
        Service db,
        Service cache) {

    public record Replica(String name, String state, String health, Figures figures) {}

    /** A backing service's container state, and what its exporter says where Prometheus is the source. */
    public record Service(String state, String health, Map<String, Double> detail) {}
}
