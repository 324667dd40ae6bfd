package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class VerdictsTest {

    static Sample ok(long start, long latency) {
        return new Sample(start, latency, "read", true, 200, "a", "cache", 0, false, "");
    }

    static Sample failed(long start, long latency, int status, boolean idempotent) {
        return new Sample(start, latency, idempotent ? "read" : "create", idempotent, status, "", "", 0, false, "");
    }

    static Sample created(long start, long id) {
        return new Sample(start, 5, "create", false, 201, "a", "", id, false, "");
    }

    @Test
    void affectedForIsTheStartOfTheLastFailedOrSlowRequestAfterTheFault() {
        var samples = List.of(
                failed(500, 3, 502, true), // before the fault: ignored
                ok(1_000, 4),
                ok(1_200, 1_005), // slow: still sent to the dead replica
                failed(1_900, 2, 0, true),
                ok(2_500, 900), // below the slow bound
                ok(3_000, 4));

        assertThat(Verdicts.affectedFor(samples, 1_000, 1_000)).isEqualTo(900);
        assertThat(Verdicts.affectedFor(List.of(ok(1_000, 4), ok(1_500, 6)), 1_000, 1_000))
                .isZero();
    }

    @Test
    void firstAfterFindsTheEarliestMatchRelativeToTheMark() {
        var samples = List.of(
                new Sample(100, 3, "read", true, 200, "a", "cache", 0, false, ""),
                new Sample(2_000, 3, "read", true, 200, "a", "database", 0, false, ""),
                new Sample(2_700, 3, "read", true, 200, "a", "cache", 0, false, ""),
                new Sample(2_400, 3, "read", true, 200, "a", "cache", 0, false, ""));

        assertThat(Verdicts.firstAfter(samples, 1_000, s -> s.source().equals("cache")))
                .contains(1_400L);
        assertThat(Verdicts.firstAfter(samples, 3_000, s -> true)).isEmpty();
    }

    @Test
    void endedWithinLeavesOutWhatStartedBeforeOrWasStillInFlightAtTheEnd() {
        var samples = List.of(ok(900, 50), ok(1_000, 10), ok(1_500, 499), ok(1_600, 400), ok(2_000, 1));

        assertThat(Verdicts.endedWithin(samples, 1_000, 2_000))
                .extracting(Sample::startMs)
                .containsExactly(1_000L, 1_500L);
    }

    @Test
    void onlyAcknowledgedCreatesAreWritesTheDatabaseOwes() {
        var samples = List.of(created(1, 41), failed(2, 1_000, 503, false), created(3, 42), ok(4, 1));

        var ids = Verdicts.acknowledgedIds(samples);

        assertThat(ids).containsExactly(41L, 42L);
        assertThat(Verdicts.lost(ids, 2)).isZero();
        assertThat(Verdicts.lost(ids, 1)).isEqualTo(1);
    }

    @Test
    void betweenIsHalfOpenOnStartTimes() {
        var samples = LongStream.range(0, 10).mapToObj(t -> ok(t * 100, 1)).toList();

        assertThat(Verdicts.between(samples, 200, 500))
                .extracting(Sample::startMs)
                .containsExactly(200L, 300L, 400L);
        assertThat(Verdicts.maxLatency(List.of(ok(0, 3), ok(1, 9), ok(2, 4)))).isEqualTo(9);
        assertThat(Verdicts.maxLatency(List.of())).isZero();
    }
}
