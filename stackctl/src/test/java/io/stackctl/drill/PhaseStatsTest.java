package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseStatsTest {

    @Test
    void percentilesUseTheNearestRank() {
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1;
        }

        assertThat(io.stackctl.perf.Stats.percentile(hundred, 50)).isEqualTo(50);
        assertThat(io.stackctl.perf.Stats.percentile(hundred, 99)).isEqualTo(99);
        assertThat(io.stackctl.perf.Stats.percentile(new long[] {7}, 99)).isEqualTo(7);
        assertThat(io.stackctl.perf.Stats.percentile(new long[0], 50)).isZero();
    }

    @Test
    void failuresAreSplitByIdempotencyAndTimeoutsCounted() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 97; i++) {
            samples.add(VerdictsTest.ok(i, 10));
        }
        samples.add(VerdictsTest.failed(97, 1_000, 503, true));
        samples.add(VerdictsTest.failed(98, 1_000, 503, false));
        samples.add(new Sample(99, 5_000, "read", true, 0, "", "", 0, true));

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

        assertThat(DrillResult.of("d", List.of(held), java.util.Map.of(), java.util.Map.of())
                        .passed())
                .isTrue();
        assertThat(DrillResult.of("d", List.of(held, broken), java.util.Map.of(), java.util.Map.of())
                        .passed())
                .isFalse();
    }
}
