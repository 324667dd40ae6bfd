package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class VerdictsTest {

    static Sample ok(long start, long latency) {
        return new Sample(start, latency, "read", true, 200, "a", "cache", 0, false, "", 0);
    }

    static Sample retried(long start, long latency, long lost) {
        return new Sample(start, latency, "read", true, 200, "b", "cache", 0, false, "", lost);
    }

    static Sample failed(long start, long latency, int status, boolean idempotent) {
        return new Sample(start, latency, idempotent ? "read" : "create", idempotent, status, "", "", 0, false, "", 0);
    }

    static Sample created(long start, long id) {
        return new Sample(start, 5, "create", false, 201, "a", "", id, false, "", 0);
    }

    @Test
    void affectedForIsTheStartOfTheLastRequestAfterTheFaultThatFailedOrWaitedOnAReplicaThatFailedIt() {
        var samples = List.of(
                failed(500, 3, 502, true), // before the fault: ignored
                ok(1_000, 4),
                retried(1_200, 1_005, 1_001), // nginx waited on the dead replica's connect, then another answered
                failed(1_900, 2, 0, true),
                retried(2_100, 400, 300),
                retried(2_300, 3, 0), // refused at once: retried, and nobody noticed
                retried(2_400, 1_900, 1), // refused at once, then slow on the replica that answered: the busy host
                ok(2_500, 1_900), // slow on the only replica tried: the busy host, not the fault
                ok(3_000, 4));

        assertThat(Verdicts.affectedFor(samples, 1_000, 250, 1_000)).isEqualTo(1_100);
        assertThat(Verdicts.affectedFor(List.of(ok(1_000, 4), ok(1_500, 6)), 1_000, 250, 1_000))
                .isZero();
    }

    @Test
    void withoutNginxsTimingsASlowRequestCountsAsAffected() {
        var samples = List.of(
                new Sample(1_200, 1_005, "read", true, 200, "a", "cache", 0, false, "", -1),
                new Sample(2_500, 900, "read", true, 200, "a", "cache", 0, false, "", -1));

        assertThat(Verdicts.affectedFor(samples, 1_000, 250, 1_000)).isEqualTo(200);
    }

    @Test
    void theTimeLostIsNginxsTimeOnEveryReplicaButTheOneThatAnswered() {
        assertThat(Sample.lostMs("0.012")).isZero();
        assertThat(Sample.lostMs("1.001, 0.012")).isEqualTo(1_001);
        assertThat(Sample.lostMs("0.000, 0.300, 0.040")).isEqualTo(300);
        assertThat(Sample.lostMs("-, 0.040")).isZero(); // the first was never reached
        assertThat(Sample.lostMs("0.500 : 0.040")).isEqualTo(500); // an internal redirect to another group
        assertThat(Sample.lostMs("")).isEqualTo(-1);
    }

    @Test
    void firstAfterFindsTheEarliestMatchRelativeToTheMark() {
        var samples = List.of(
                new Sample(100, 3, "read", true, 200, "a", "cache", 0, false, "", 0),
                new Sample(2_000, 3, "read", true, 200, "a", "database", 0, false, "", 0),
                new Sample(2_700, 3, "read", true, 200, "a", "cache", 0, false, "", 0),
                new Sample(2_400, 3, "read", true, 200, "a", "cache", 0, false, "", 0));

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
