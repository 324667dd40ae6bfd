package io.stackctl.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import io.stackctl.health.HttpProbe;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Instant queries against Prometheus' HTTP API (the monitoring profile's, published on loopback). */
public final class PrometheusApi {

    /** One series of an instant vector: its labels and its value (NaN when Prometheus had none to give). */
    public record Series(Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    /** The app's routes that serve machinery (probes, scrapes, operators), not the API's users. */
    public static final String MACHINERY_ROUTES = "/live|/ready|/health|/metrics|/ops/.*";

    /** A selector of the replicas' answers to the API's users: what rates, ratios and latencies are taken over. */
    public static final String APP_API = "job=\"app\",route!~\"" + MACHINERY_ROUTES + "\"";

    private final String baseUrl;
    private final HttpProbe probe;

    public PrometheusApi(String baseUrl, HttpProbe probe) {
        this.baseUrl = baseUrl;
        this.probe = probe;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** True when Prometheus answers its readiness endpoint. */
    public boolean ready() {
        return probe.get(baseUrl + "/-/ready").ok();
    }

    /** The series {@code promql} evaluates to now; exit 1 naming Prometheus when it does not answer. */
    public List<Series> query(String promql) {
        String url = baseUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
        var answer = probe.fetch(url, null);
        if (!answer.ok()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "Prometheus at " + baseUrl + " did not answer a query ("
                            + (answer.status() > 0 ? "HTTP " + answer.status() : answer.error()) + ")",
                    "check it with: bin/stackctl logs prometheus");
        }
        JsonNode result;
        try {
            result = Json.MAPPER.readTree(answer.body()).path("data").path("result");
        } catch (Exception e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "Prometheus at " + baseUrl + " answered a query with something that is not its JSON",
                    "is another program on that port? Set PROMETHEUS_PORT in compose/.env to Prometheus' port");
        }
        List<Series> series = new ArrayList<>();
        for (JsonNode one : result) {
            Map<String, String> labels = new HashMap<>();
            one.path("metric")
                    .fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            series.add(new Series(Map.copyOf(labels), value(one)));
        }
        return series;
    }

    /** The one value {@code promql} evaluates to, or null when it has none (no series, or NaN). */
    public Double single(String promql) {
        for (Series one : query(promql)) {
            return Double.isNaN(one.value()) ? null : one.value();
        }
        return null;
    }

    private static double value(JsonNode series) {
        String text = series.path("value").path(1).asText("NaN");
        try {
            return Double.parseDouble(text.replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
