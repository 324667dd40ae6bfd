package io.stackctl.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VerdictTest {

    private static Stats stats(long p50, long p95, long p99, double errorPct, double rps) {
        return new Stats(1000, (long) (errorPct * 10), errorPct, rps, 1, p50, p50, p95, p99, p99 + 10);
    }

    @Test
    void everyTargetIsCheckedAndAMissedOneFails() {
        var limits = new Targets.Limits(10, 30, 50, 0.1, 90);

        var fine = Verdict.againstTargets(stats(4, 20, 45, 0, 100), limits);
        var slow = Verdict.againstTargets(stats(4, 20, 51, 0, 100), limits);
        var starved = Verdict.againstTargets(stats(4, 20, 45, 0.5, 80), limits);

        assertThat(fine).hasSize(5).allMatch(Verdict::passed);
        assertThat(slow)
                .filteredOn(v -> !v.passed())
                .extracting(Verdict::metric)
                .containsExactly("p99_ms");
        assertThat(starved)
                .filteredOn(v -> !v.passed())
                .extracting(Verdict::metric)
                .containsExactly("error_pct", "rps");
    }

    @Test
    void aRegressionMustExceedBothTheRelativeAndTheAbsoluteTolerance() {
        var baseline = stats(2, 10, 40, 0, 100);

        // 2 ms -> 4 ms is +100% but only +2 ms: noise, not a regression
        assertThat(Verdict.againstBaseline(stats(4, 10, 40, 0, 100), baseline, 0.25, 5))
                .allMatch(Verdict::passed);
        // 40 ms -> 49 ms is +9 ms but only +22%: within tolerance
        assertThat(Verdict.againstBaseline(stats(2, 10, 49, 0, 100), baseline, 0.25, 5))
                .allMatch(Verdict::passed);
        // 40 ms -> 51 ms is +11 ms and +27%: a regression
        assertThat(Verdict.againstBaseline(stats(2, 10, 51, 0, 100), baseline, 0.25, 5))
                .filteredOn(v -> !v.passed())
                .extracting(Verdict::metric)
                .containsExactly("p99_ms");
        // throughput down 30%
        assertThat(Verdict.againstBaseline(stats(2, 10, 40, 0, 70), baseline, 0.25, 5))
                .filteredOn(v -> !v.passed())
                .extracting(Verdict::metric)
                .containsExactly("rps");
    }

    @Test
    void statsUseNearestRankOverAnsweredRequestsAndCountErrors() {
        var requests = new java.util.ArrayList<Recorder.Request>();
        for (int i = 1; i <= 98; i++) {
            requests.add(new Recorder.Request("read", true, i));
        }
        requests.add(new Recorder.Request("read", false, 500));
        requests.add(new Recorder.Request("read", false, -1)); // no answer: an error without a time

        var stats = Stats.of(requests, 10);

        assertThat(stats.requests()).isEqualTo(100);
        assertThat(stats.errors()).isEqualTo(2);
        assertThat(stats.errorPct()).isEqualTo(2.0);
        assertThat(stats.rps()).isEqualTo(10.0);
        assertThat(stats.minMs()).isEqualTo(1);
        assertThat(stats.p50Ms()).isEqualTo(50);
        assertThat(stats.p95Ms()).isEqualTo(95); // rank 95 of the 99 answered
        assertThat(stats.p99Ms()).isEqualTo(500);
        assertThat(stats.maxMs()).isEqualTo(500);
    }
}
