package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseStatsTest {

    @Test
    void percentilesUseTheNearestRank() {
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1;
        }

        assertThat(io.stackctl.client.Stats.percentile(hundred, 50)).isEqualTo(50);
        assertThat(io.stackctl.client.Stats.percentile(hundred, 99)).isEqualTo(99);
        assertThat(io.stackctl.client.Stats.percentile(new long[] {7}, 99)).isEqualTo(7);
        assertThat(io.stackctl.client.Stats.percentile(new long[0], 50)).isZero();
    }

    @Test
    void failuresAreSplitByIdempotencyAndTimeoutsCounted() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 97; i++) {
            samples.add(VerdictsTest.ok(i, 10));
        }
        samples.add(VerdictsTest.failed(97, 1_000, 503, true));
        samples.add(VerdictsTest.failed(98, 1_000, 503, false));
        samples.add(new Sample(99, 5_000, "read", true, 0, "", "", 0, true, "", 0));

        var stats = PhaseStats.of(samples);

        assertThat(stats.requests()).isEqualTo(100);
        assertThat(stats.failedIdempotent()).isEqualTo(2);
        assertThat(stats.failedNonIdempotent()).isEqualTo(1);
        assertThat(stats.failed()).isEqualTo(3);
        assertThat(stats.timedOut()).isEqualTo(1);
        assertThat(stats.p50Ms()).isEqualTo(10);
        assertThat(stats.p99Ms()).isEqualTo(1_000);
        assertThat(stats.maxMs()).isEqualTo(5_000);
    }

    @Test
    void aDrillPassesOnlyWhenEveryHypothesisHeld() {
        var held = Hypothesis.check("a", true, "0");
        var broken = Hypothesis.check("b", false, "3 failed");

        var passed = DrillResult.of("d", List.of(held), Map.of(), Map.of(), List.of());
        var failed = DrillResult.of("d", List.of(held, broken), Map.of(), Map.of(), List.of());

        assertThat(passed.passed()).isTrue();
        assertThat(passed.broken()).isEmpty();
        assertThat(failed.passed()).isFalse();
        assertThat(failed.broken()).containsExactly(broken);
    }

    @Test
    void theResultNamesTheFirstFailedRequestsSoTheyCanBeFoundInTheLogs() {
        var samples = new ArrayList<Sample>();
        samples.add(new Sample(10, 3, "read", true, 200, "app-1", "cache", 0, false, "", 0));
        samples.add(new Sample(
                20, 7, "create", false, 502, "", "", 0, false, "<html><head><title>502 Bad Gateway</title>", 0));
        samples.add(
                new Sample(30, 5_000, "read", true, 0, "", "", 0, true, "HttpTimeoutException request timed out", 0));
        for (int i = 0; i < 20; i++) {
            samples.add(
                    new Sample(40 + i, 1, "list", true, 503, "app-2", "", 0, false, "{\"error\":\"unavailable\"}", 0));
        }

        var result = DrillResult.of("d", List.of(), Map.of(), Map.of(), samples);

        assertThat(result.failures()).hasSize(DrillResult.FAILURES_SHOWN);
        assertThat(result.failures().get(0))
                .isEqualTo("create at 20 ms, HTTP 502 after 7 ms: <html><head><title>502 Bad Gateway</title>");
        assertThat(result.failures().get(1))
                .isEqualTo(
                        "read at 30 ms, no answer (timed out) after 5000 ms: HttpTimeoutException request timed out");
        assertThat(result.failures().get(2))
                .isEqualTo("list at 40 ms, HTTP 503 from app-2 after 1 ms: {\"error\":\"unavailable\"}");
    }
}
