package io.stackctl.prometheus;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The monitoring profile's readiness: Prometheus is ready and scrapes every one of its jobs, each target up. That is
 * what the profile is for, and it proves more than the exporters' own health checks, which run once a minute (each is
 * an exec, about 0.2 s of a core: at the stack's 5 s they cost more than the profile's scrapes) and so cannot gate a
 * start without holding it up for that minute.
 */
public final class ScrapeGate {

    /** Prometheus' scrape jobs (compose/monitoring/prometheus.yml), with the service each scrapes. */
    public static final Map<String, String> JOBS = Map.of(
            "app", "app",
            "db", "db-exporter",
            "cache", "cache-exporter",
            "volumes", "volume-exporter",
            "edge", "edge-exporter",
            "alertmanager", "alertmanager",
            "prometheus", "prometheus");

    private static final Duration POLL = Duration.ofMillis(500);
    /**
     * {@code up} as scraped in the last 30 s. A Prometheus that was stopped wrote no staleness marker for its targets,
     * so once started again (the profile off and on) it answered {@code up} with the last samples of replicas gone
     * since, 0, for the 5 minutes of its lookback: up waited its whole timeout on targets no one scrapes (seen after a
     * rollout between the two).
     */
    static final String FRESH_UP = "up and (time() - timestamp(up)) < 30";

    private final PrometheusApi prometheus;
    private final PrintWriter progress;

    public ScrapeGate(PrometheusApi prometheus, PrintWriter progress) {
        this.prometheus = prometheus;
        this.progress = progress;
    }

    /** Until Prometheus scrapes every job with each target up; exit 1 naming what is not, and its service's log. */
    public void await(Duration timeout) {
        long start = System.nanoTime();
        List<List<String>> last = new ArrayList<>(java.util.Collections.singletonList(null));
        boolean done = Pause.until(timeout, POLL, () -> {
            List<String> missing =
                    prometheus.ready() ? missing(prometheus.query(FRESH_UP)) : List.of("Prometheus is not ready");
            if (!missing.equals(last.get(0))) {
                progress.printf(
                        "  %-28s %-10s %5.1fs%n",
                        "prometheus scrapes",
                        missing.isEmpty() ? "all up" : String.join(", ", missing),
                        (System.nanoTime() - start) / 1e9);
                progress.flush();
                last.set(0, missing);
            }
            return missing.isEmpty();
        });
        if (!done) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "the monitoring profile is not scraping within " + timeout.toSeconds() + " s: "
                            + String.join(", ", last.get(0)),
                    "see why with: " + hint(last.get(0)));
        }
    }

    /** What keeps the profile from ready, given Prometheus' {@code up} series: jobs absent, targets down. */
    static List<String> missing(List<PrometheusApi.Series> up) {
        var absent = new TreeSet<>(JOBS.keySet());
        var down = new TreeSet<String>();
        for (var series : up) {
            absent.remove(series.label("job"));
            if (series.value() != 1) {
                down.add(series.label("job") + " " + series.label("instance") + " down");
            }
        }
        var missing = new ArrayList<>(down);
        absent.forEach(job -> missing.add(job + " not scraped yet"));
        return missing;
    }

    private static String hint(List<String> missing) {
        var services = new TreeSet<String>();
        for (String what : missing) {
            String job = what.split(" ", 2)[0];
            services.add(JOBS.getOrDefault(job, "prometheus"));
        }
        return String.join(
                "; ", services.stream().map(s -> "bin/stackctl logs " + s).toList());
    }
}
