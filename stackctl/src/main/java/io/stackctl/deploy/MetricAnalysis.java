package io.stackctl.deploy;

import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.prometheus.PrometheusApi;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout step judged by what its new replicas answered, as Flagger and Argo Rollouts judge a canary: once
 * Prometheus scrapes them, the gate waits {@link AnalysisSettings#interval()} while they serve their share, then
 * checks their success rate per route and overall, their p99 and the stack's error ratio against the limits of
 * compose/.env and against the release before (measured over the same span before the deploy began). Too little
 * traffic to judge is a failed step too: a release passes on evidence, not on silence.
 */
public final class MetricAnalysis implements BatchGate {

    /** How long a new replica may take to become a Prometheus target (the agent lists it; scrapes every 5 s). */
    static final Duration DISCOVERY = Duration.ofSeconds(30);

    /** A release may be as bad as the one before it, less this many points, where that one was below the limit. */
    static final double NOT_WORSE_BY = 0.5;

    /** A p99 up to this many times the release before's passes, whatever the absolute limit. */
    static final double P99_FACTOR = 2;

    private static final String API = PrometheusApi.APP_API;

    private final PrometheusApi prometheus;
    private final AnalysisSettings settings;
    private final PrintWriter progress;
    private final ReplicaFigures before;
    private final List<AnalysisStep> steps = new ArrayList<>();

    private MetricAnalysis(
            PrometheusApi prometheus, AnalysisSettings settings, PrintWriter progress, ReplicaFigures before) {
        this.prometheus = prometheus;
        this.settings = settings;
        this.progress = progress;
        this.before = before;
    }

    /** Measures the release before on {@code current} (its replicas now), over the span each step will be judged. */
    public static MetricAnalysis begin(
            PrometheusApi prometheus, AnalysisSettings settings, List<ServiceContainer> current, PrintWriter progress) {
        var before = current.isEmpty() ? ReplicaFigures.NONE : measure(prometheus, settings, names(current));
        return new MetricAnalysis(prometheus, settings, progress, before);
    }

    public List<AnalysisStep> steps() {
        return List.copyOf(steps);
    }

    @Override
    public void judge(List<ServiceContainer> fresh, Runnable whileWaiting) {
        try {
            judgeOnce(names(fresh), whileWaiting);
        } catch (StackctlException e) {
            throw new RollingDeploy.RolloutFailed("metric analysis could not finish: " + e.getMessage());
        }
    }

    private void judgeOnce(List<String> replicas, Runnable whileWaiting) {
        long start = System.nanoTime();
        awaitScraped(replicas, whileWaiting);
        progress.printf(
                "  analysing %s for %d s (Prometheus, success >= %s%%, p99 <= %s ms)%n",
                replicas,
                settings.interval().toSeconds(),
                number(settings.minSuccessPercent()),
                number(settings.maxP99Ms()));
        progress.flush();
        waitOut(settings.interval(), whileWaiting);
        AnalysisStep step = judge(before, measure(prometheus, settings, replicas), settings, replicas);
        steps.add(step);
        progress.printf(
                "  analysis %s after %.1fs: %s%n", step.verdict(), (System.nanoTime() - start) / 1e9, step.reason());
        progress.flush();
        if (!step.passed()) {
            throw new RollingDeploy.RolloutFailed("metric analysis " + step.verdict() + ": " + step.reason());
        }
    }

    /** The verdict on {@code now}, the new replicas' figures, against the limits and {@code before}'s. */
    static AnalysisStep judge(
            ReplicaFigures before, ReplicaFigures now, AnalysisSettings settings, List<String> replicas) {
        var all = now.all();
        var allBefore = before.all();
        String worstRoute = null;
        Double worstSuccess = null;
        List<String> problems = new ArrayList<>();
        for (var route : now.routes().entrySet()) {
            Double success = route.getValue().successPercent();
            if (route.getValue().requests() < settings.minRequests() || success == null) {
                continue; // too few to tell 5% from bad luck
            }
            if (worstSuccess == null || success < worstSuccess) {
                worstRoute = route.getKey();
                worstSuccess = success;
            }
            Double was = before.routes()
                    .getOrDefault(route.getKey(), ReplicaFigures.Count.NONE)
                    .successPercent();
            if (success < successLimit(settings, was)) {
                problems.add(route.getKey() + " answered " + percent(success) + "% without a 5xx ("
                        + Math.round(route.getValue().requests()) + " requests; the release before: "
                        + (was == null ? "no traffic" : percent(was) + "%") + "), below "
                        + percent(successLimit(settings, was)) + "%");
            }
        }
        Double success = all.successPercent();
        if (success != null && success < successLimit(settings, allBefore.successPercent()) && problems.isEmpty()) {
            problems.add("all routes together answered " + percent(success) + "% without a 5xx, below "
                    + percent(successLimit(settings, allBefore.successPercent())) + "%");
        }
        if (now.p99Ms() != null && now.p99Ms() > p99Limit(settings, before.p99Ms())) {
            problems.add("p99 " + number(now.p99Ms()) + " ms, over " + number(p99Limit(settings, before.p99Ms()))
                    + " ms (the release before: "
                    + (before.p99Ms() == null ? "no traffic" : number(before.p99Ms()) + " ms") + ")");
        }
        Double stackErrors = now.stack().errorPercent();
        Double stackErrorsBefore = before.stack().errorPercent();
        double stackLimit = Math.max(
                100 - settings.minSuccessPercent(), stackErrorsBefore == null ? 0 : stackErrorsBefore + NOT_WORSE_BY);
        if (stackErrors != null && stackErrors > stackLimit) {
            problems.add("the stack answered " + percent(stackErrors) + "% 5xx, over " + percent(stackLimit) + "%");
        }
        AnalysisStep.Verdict verdict;
        String reason;
        if (all.requests() < settings.minRequests()) {
            verdict = AnalysisStep.Verdict.inconclusive;
            reason = replicas + " answered " + Math.round(all.requests()) + " API requests in "
                    + settings.interval().toSeconds() + " s, fewer than the " + settings.minRequests() + " "
                    + AnalysisSettings.MIN_REQUESTS + " asks for to judge them; deploy under traffic, or set "
                    + AnalysisSettings.ENABLED + "=off";
        } else if (!problems.isEmpty()) {
            verdict = AnalysisStep.Verdict.failed;
            reason = replicas + ": " + String.join("; ", problems);
        } else {
            verdict = AnalysisStep.Verdict.passed;
            reason = replicas + ": " + Math.round(all.requests()) + " API requests, " + percent(success)
                    + "% without a 5xx, p99 " + (now.p99Ms() == null ? "-" : number(now.p99Ms()) + " ms");
        }
        return new AnalysisStep(
                replicas,
                settings.interval().toSeconds(),
                Math.round(all.requests()),
                tenths(success),
                worstRoute,
                tenths(worstSuccess),
                tenths(now.p99Ms()),
                tenths(stackErrors),
                tenths(allBefore.successPercent()),
                tenths(before.p99Ms()),
                tenths(stackErrorsBefore),
                verdict,
                reason);
    }

    /** As recorded: to a tenth, which is all a rate over seconds of scrapes can tell. */
    private static Double tenths(Double value) {
        return value == null ? null : Math.round(value * 10) / 10.0;
    }

    private static double successLimit(AnalysisSettings settings, Double before) {
        return before == null
                ? settings.minSuccessPercent()
                : Math.min(settings.minSuccessPercent(), before - NOT_WORSE_BY);
    }

    private static double p99Limit(AnalysisSettings settings, Double before) {
        return before == null ? settings.maxP99Ms() : Math.max(settings.maxP99Ms(), P99_FACTOR * before);
    }

    /** Until Prometheus has scraped every new replica once: the window then holds what they answered. */
    private void awaitScraped(List<String> replicas, Runnable whileWaiting) {
        long deadline = System.nanoTime() + DISCOVERY.toNanos();
        String up = "up{job=\"app\",instance=~\"" + instances(replicas) + "\"} == 1";
        while (prometheus.query(up).size() < replicas.size()) {
            if (System.nanoTime() > deadline) {
                throw new RollingDeploy.RolloutFailed("metric analysis inconclusive: Prometheus did not scrape "
                        + replicas + " within " + DISCOVERY.toSeconds() + " s (see bin/stackctl logs prometheus and"
                        + " the upstream agent's log), so nothing could be judged");
            }
            whileWaiting.run();
            Pause.sleep(RollingDeploy.POLL, "interrupted during the metric analysis", "run deploy again");
        }
    }

    private static void waitOut(Duration span, Runnable whileWaiting) {
        long end = System.nanoTime() + span.toNanos();
        while (System.nanoTime() < end) {
            whileWaiting.run();
            Pause.sleep(RollingDeploy.POLL, "interrupted during the metric analysis", "run deploy again");
        }
    }

    /** What {@code replicas} answered over the last {@link AnalysisSettings#interval()}, from Prometheus. */
    static ReplicaFigures measure(PrometheusApi prometheus, AnalysisSettings settings, List<String> replicas) {
        String window = "[" + settings.interval().toSeconds() + "s]";
        String of = API + ",instance=~\"" + instances(replicas) + "\"";
        Map<String, double[]> counts = new HashMap<>();
        for (var series :
                prometheus.query("sum by (method, route) (increase(http_requests_total{" + of + "}" + window + "))")) {
            counts.computeIfAbsent(routeOf(series), k -> new double[2])[0] = finite(series.value());
        }
        for (var series : prometheus.query(
                "sum by (method, route) (increase(http_requests_total{" + of + ",status=~\"5..\"}" + window + "))")) {
            counts.computeIfAbsent(routeOf(series), k -> new double[2])[1] = finite(series.value());
        }
        Map<String, ReplicaFigures.Count> routes = new HashMap<>();
        counts.forEach((route, c) -> routes.put(route, new ReplicaFigures.Count(c[0], c[1])));
        Double p99 = prometheus.single("histogram_quantile(0.99, sum by (le) (increase("
                + "http_request_duration_seconds_bucket{" + of + "}" + window + ")))");
        Double stackRequests = prometheus.single("sum(increase(http_requests_total{" + API + "}" + window + "))");
        Double stackErrors =
                prometheus.single("sum(increase(http_requests_total{" + API + ",status=~\"5..\"}" + window + "))");
        return new ReplicaFigures(
                Map.copyOf(routes),
                p99 == null || p99.isInfinite() ? null : p99 * 1000,
                new ReplicaFigures.Count(
                        stackRequests == null ? 0 : stackRequests, stackErrors == null ? 0 : stackErrors));
    }

    private static String routeOf(PrometheusApi.Series series) {
        return series.label("method") + " " + series.label("route");
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }

    /** A PromQL regular expression matching exactly these container names. */
    static String instances(List<String> replicas) {
        List<String> quoted = new ArrayList<>();
        for (String name : replicas) {
            StringBuilder one = new StringBuilder();
            for (char c : name.toCharArray()) {
                if (!Character.isLetterOrDigit(c) && c != '_' && c != '-') {
                    one.append("\\\\"); // a backslash in the regular expression, inside a PromQL string
                }
                one.append(c);
            }
            quoted.add(one.toString());
        }
        return String.join("|", quoted);
    }

    private static List<String> names(List<ServiceContainer> containers) {
        return containers.stream().map(ServiceContainer::name).toList();
    }

    private static String percent(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    private static String number(double value) {
        return value == Math.rint(value)
                ? Long.toString((long) value)
                : String.format(java.util.Locale.ROOT, "%.1f", value);
    }
}
