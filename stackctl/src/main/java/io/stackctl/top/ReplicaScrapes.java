package io.stackctl.top;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code top} without Prometheus: every running replica's /metrics, scraped at each refresh with the operator token
 * (at its address on compose, from inside it on Swarm); the rates are the counters' increase since the previous
 * refresh. A replica seen for the first time is listed with its pool at once and its rates from the next refresh.
 */
public final class ReplicaScrapes implements TopSource {

    private record Scrape(long nanos, Counters counters) {}

    private final Stack stack;
    private final Map<String, Scrape> previous = new HashMap<>();

    public ReplicaScrapes(Stack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "replicas";
    }

    @Override
    public boolean ratesAtFirstSample() {
        return false;
    }

    @Override
    public TopSample sample() {
        Instant at = Instant.now();
        List<ServiceContainer> containers = stack.containers();
        List<TopSample.Replica> rows = new ArrayList<>();
        List<Counters> increases = new ArrayList<>();
        double windows = 0;
        Map<String, Scrape> seen = new HashMap<>();
        for (ServiceContainer c : containers) {
            if (!c.service().equals(Stack.APP)) {
                continue;
            }
            Figures figures = Figures.UNKNOWN;
            if (c.running()) {
                var answer = stack.askReplicaOperator(c, "/metrics");
                Optional<Counters> scraped = answer.ok() ? counters(answer.body()) : Optional.empty();
                if (scraped.isPresent()) {
                    long now = System.nanoTime();
                    Counters counters = scraped.get();
                    Scrape before = previous.get(c.id());
                    seen.put(c.id(), new Scrape(now, counters));
                    if (before == null) {
                        figures = counters.since(counters).over(0);
                    } else {
                        double seconds = (now - before.nanos()) / 1e9;
                        Counters increase = counters.since(before.counters());
                        figures = increase.over(seconds);
                        increases.add(increase);
                        windows += seconds;
                    }
                }
            }
            rows.add(new TopSample.Replica(c.name(), c.state(), c.healthText(), figures));
        }
        previous.clear();
        previous.putAll(seen);
        double window = increases.isEmpty() ? 0 : windows / increases.size();
        Figures total =
                increases.isEmpty() ? Figures.UNKNOWN : Counters.sum(increases).over(window);
        return new TopSample(
                at, name(), window, rows, total, service(containers, Stack.DB), service(containers, Stack.CACHE));
    }

    /** A scrape cut short (the replica stopping as it answered) is no figure, not the end of top. */
    private static Optional<Counters> counters(String body) {
        try {
            return Optional.of(Counters.of(MetricsText.parse(body)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static TopSample.Service service(List<ServiceContainer> containers, String name) {
        return containers.stream()
                .filter(c -> c.service().equals(name))
                .findFirst()
                .map(c -> new TopSample.Service(c.state(), c.healthText(), Map.of()))
                .orElse(new TopSample.Service("missing", "-", Map.of()));
    }
}
