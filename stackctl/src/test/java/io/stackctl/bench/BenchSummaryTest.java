package io.stackctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchSummaryTest {

    private static BenchSummary summary(Map<String, Object> prometheus) {
        return new BenchSummary(
                "smoke",
                Instant.parse("2026-12-05T11:00:00Z"),
                "https://127.0.0.1:8443",
                100,
                20,
                Map.of("cores", 2, "replicas", 2, "git_revision", "abc"),
                List.of(),
                true,
                prometheus);
    }

    @Test
    void theReplicasOwnFiguresFollowGatlingsWhenTheProfileRecordedThem() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("requests_per_s", 87.45);
        figures.put("p99_ms", 54.526);

        assertThat(summary(figures).markdown())
                .contains("### The replicas' own figures over the run (Prometheus, monitoring profile)")
                .contains("| requests_per_s | 87.45 |\n| p99_ms | 54.526 |");
        assertThat(summary(Map.of()).markdown()).doesNotContain("Prometheus");
    }
}
