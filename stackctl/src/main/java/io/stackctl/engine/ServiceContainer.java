package io.stackctl.engine;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** One container of the compose project, found by its compose labels (never by name). */
public record ServiceContainer(
        String id,
        String name,
        String service,
        int number,
        String state,
        Optional<String> health,
        Optional<Instant> startedAt,
        Map<String, String> networkIps,
        String imageId,
        String configHash,
        int restartCount) {

    /** A container described without its release (tests, and containers compose did not label). */
    public ServiceContainer(
            String id,
            String name,
            String service,
            int number,
            String state,
            Optional<String> health,
            Optional<Instant> startedAt,
            Map<String, String> networkIps) {
        this(id, name, service, number, state, health, startedAt, networkIps, "", "", 0);
    }

    public boolean running() {
        return "running".equals(state);
    }

    /** Healthy, or running without a healthcheck. */
    public boolean healthy() {
        return running() && health.map("healthy"::equals).orElse(true);
    }

    /** Running, and its healthcheck has not passed yet (the engine's first check comes a whole interval in). */
    public boolean starting() {
        return running() && health.map("starting"::equals).orElse(false);
    }

    public String healthText() {
        return health.orElse(running() ? "running" : state);
    }

    /** The address on the network that ends with {@code suffix} (compose prefixes network names). */
    public Optional<String> ipOn(String networkSuffix) {
        return networkIps.entrySet().stream()
                .filter(e -> e.getKey().endsWith(networkSuffix) && !e.getValue().isEmpty())
                .map(Map.Entry::getValue)
                .findFirst();
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }
}
