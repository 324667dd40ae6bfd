package io.stackctl.autoscale;

import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.HttpProbe;
import io.stackctl.health.ReplicaHealth;
import io.stackctl.top.Counters;
import io.stackctl.top.MetricsText;
import io.stackctl.top.Quantile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the replicas' load from their own /metrics, as {@code top} does without Prometheus, so the autoscaler needs no
 * monitoring profile: each replica is asked with the operator token it was started with (the agent finds its folder
 * of secrets from the replica's own mount), and the reading is the increase since the previous scrape of the same
 * replica. A replica seen for the first time gives its reading at the next scrape.
 */
final class ReplicaLoad {

    static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);
    static final String SECRETS_MOUNT = "/run/stack-app-secrets";

    private record Scrape(long nanos, Counters counters, double cpuSeconds) {}

    private final Engine engine;
    private final Path appSecrets;
    private final ScalingTarget target;
    private final HttpProbe probe = new HttpProbe(SCRAPE_TIMEOUT);
    private final Map<String, Scrape> previous = new HashMap<>();
    /** Each replica's token, by container id: its folder of secrets is fixed for its life (a rotation rolls replicas). */
    private final Map<String, String> tokens = new HashMap<>();

    ReplicaLoad(Engine engine, Path appSecrets, ScalingTarget target) {
        this.engine = engine;
        this.appSecrets = appSecrets;
        this.target = target;
    }

    /** The reading over the replicas that answered twice in a row; nothing when none did yet. */
    Optional<Observation> read(List<ServiceContainer> replicas, int count, Instant at) {
        List<Counters> increases = new ArrayList<>();
        double cpu = 0;
        double seconds = 0;
        Map<String, Scrape> seen = new HashMap<>();
        for (ServiceContainer replica : replicas) {
            var scrape = scrape(replica);
            if (scrape.isEmpty()) {
                continue;
            }
            seen.put(replica.id(), scrape.get());
            Scrape before = previous.get(replica.id());
            if (before == null) {
                continue;
            }
            double window = (scrape.get().nanos() - before.nanos()) / 1e9;
            increases.add(scrape.get().counters().since(before.counters()));
            cpu += Math.max(0, scrape.get().cpuSeconds() - before.cpuSeconds()) / window;
            seconds += window;
        }
        previous.clear();
        previous.putAll(seen);
        tokens.keySet().retainAll(replicas.stream().map(ServiceContainer::id).toList());
        if (increases.isEmpty()) {
            return Optional.empty();
        }
        int measured = increases.size();
        var sum = Counters.sum(increases);
        double reading = switch (target.kind()) {
            case CPU -> 100 * cpu / measured;
            case RPS -> sum.requests() / (seconds / measured) / measured;
            case P99 -> Quantile.of(0.99, sum.buckets()).map(s -> s * 1000).orElse(0.0);
        };
        return Optional.of(new Observation(at, count, reading));
    }

    private Optional<Scrape> scrape(ServiceContainer replica) {
        Optional<String> token = token(replica);
        String ip = replica.ipOn("frontend").orElse("");
        if (token.isEmpty() || ip.isEmpty()) {
            return Optional.empty();
        }
        var answer = probe.fetch(ReplicaHealth.url(ip, "/metrics"), token.get());
        if (!answer.ok()) {
            return Optional.empty();
        }
        try {
            var samples = MetricsText.parse(answer.body());
            double cpu = samples.stream()
                    .filter(s -> s.name().equals("process_cpu_seconds_total"))
                    .mapToDouble(MetricsText.Sample::value)
                    .sum();
            return Optional.of(new Scrape(System.nanoTime(), Counters.of(samples), cpu));
        } catch (IllegalArgumentException cutShort) {
            return Optional.empty();
        }
    }

    /**
     * The operator token in the folder the replica mounts (it changes with a rotation; each replica has its own), asked
     * of the engine once per replica, not at every reading.
     */
    private Optional<String> token(ServiceContainer replica) {
        String known = tokens.get(replica.id());
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> read = engine.mountSource(replica.id(), SECRETS_MOUNT).flatMap(source -> {
            Path file =
                    appSecrets.resolve(Path.of(source).getFileName().toString()).resolve("ops-token");
            try {
                return Optional.of(Files.readString(file).strip());
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        read.ifPresent(token -> tokens.put(replica.id(), token));
        return read;
    }
}
