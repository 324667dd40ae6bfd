package io.stackctl.prometheus;

import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bench's or a drill's run as the monitoring profile saw it: marked in Prometheus while it runs ({@link RunMarks}),
 * and afterwards the replicas' own figures over its span, to stand beside the clients' (Gatling's, the drill's load)
 * in summary.json. Without the profile it records nothing and {@link Recording#figures()} is empty.
 */
public final class RunRecorder {

    /** Prometheus scrapes every 5 s: the figures wait one scrape, so the run's last seconds are in them. */
    static final Duration LAST_SCRAPE = Duration.ofSeconds(5);

    private static final String API = PrometheusApi.APP_API;

    private final RunMarks marks;
    private final Optional<PrometheusApi> prometheus;

    public RunRecorder(RunMarks marks, Optional<PrometheusApi> prometheus) {
        this.marks = marks;
        this.prometheus = prometheus;
    }

    /** A recorder that records nothing (no monitoring profile). */
    public static RunRecorder off(RunMarks marks) {
        return new RunRecorder(marks, Optional.empty());
    }

    public Recording start(String kind, String name) {
        return new Recording(prometheus.flatMap(p -> marks.start(kind, name)), Instant.now());
    }

    /** One run being recorded; closing it removes its mark (also when the run failed). */
    public final class Recording implements AutoCloseable {
        private final Optional<RunMarks.Mark> mark;
        private final Instant started;

        private Recording(Optional<RunMarks.Mark> mark, Instant started) {
            this.mark = mark;
            this.started = started;
        }

        /**
         * The replicas' figures over the run so far, from Prometheus: requests per second, the 5xx ratio, p50 and p99
         * (the replicas' own time, without the network and nginx), the most PostgreSQL connections, the cache hit
         * ratio, the alerts that fired. Empty without the profile; a Prometheus that does not answer says so inside.
         */
        public Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            if (prometheus.isEmpty()) {
                return figures;
            }
            Pause.sleep(LAST_SCRAPE, "interrupted while Prometheus scraped the run's last seconds", "run it again");
            long seconds = Math.max(10, Duration.between(started, Instant.now()).toSeconds());
            String window = "[" + seconds + "s]";
            mark.ifPresent(m -> figures.put("run", m.run()));
            figures.put("window_s", seconds);
            try {
                var api = prometheus.get();
                figures.put(
                        "requests_per_s",
                        round(api.single("sum(rate(http_requests_total{" + API + "}" + window + "))")));
                // No 5xx series at all is a ratio of 0, not none: PromQL has no series for what never happened.
                String errors = "sum(increase(http_requests_total{" + API + ",status=~\"5..\"}" + window + "))";
                String all = "sum(increase(http_requests_total{" + API + "}" + window + "))";
                figures.put("error_ratio", round(api.single("(" + errors + " or vector(0)) / " + all)));
                for (String q : List.of("0.5", "0.99")) {
                    Double value = api.single("histogram_quantile(" + q + ", sum by (le) (increase("
                            + "http_request_duration_seconds_bucket{" + API + "}" + window + ")))");
                    figures.put(q.equals("0.5") ? "p50_ms" : "p99_ms", value == null ? null : round(value * 1000));
                }
                figures.put(
                        "db_connections_max",
                        round(api.single(
                                "max_over_time(sum(pg_stat_activity_count)" + window.replace("]", ":5s]") + ")")));
                figures.put(
                        "cache_hit_ratio",
                        round(api.single("sum(increase(cache_hits_total{job=\"app\"}" + window
                                + ")) / (sum(increase(cache_hits_total{job=\"app\"}" + window
                                + ")) + sum(increase(cache_misses_total{job=\"app\"}" + window + ")))")));
                List<String> fired = new ArrayList<>();
                api.query("count by (alertname) (max_over_time(ALERTS{alertstate=\"firing\"}" + window + "))")
                        .forEach(series -> fired.add(series.label("alertname")));
                figures.put("alerts_fired", fired.stream().sorted().toList());
            } catch (StackctlException e) {
                figures.put("error", e.getMessage());
            }
            return figures;
        }

        @Override
        public void close() {
            mark.ifPresent(RunMarks.Mark::close);
        }
    }

    private static Double round(Double value) {
        return value == null || value.isNaN() || value.isInfinite() ? null : Math.round(value * 1000) / 1000.0;
    }
}
