package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaStrikesTest {

    private static final Optional<Instant> FIRST_START = Optional.of(Instant.parse("2026-12-05T00:00:00Z"));
    private static final Optional<Instant> RESTARTED = Optional.of(Instant.parse("2026-12-05T00:05:00Z"));

    private final ReplicaStrikes strikes = new ReplicaStrikes();

    @Test
    void aReplicaThatServedLeavesAfterTwoFailedProbesInARow() {
        strikes.record("a", FIRST_START, true);

        assertThat(strikes.record("a", FIRST_START, false))
                .as("one slow answer on a busy host keeps it")
                .isTrue();
        assertThat(strikes.suspect()).as("the next round comes at once").isTrue();
        assertThat(strikes.record("a", FIRST_START, false)).isFalse();
        assertThat(strikes.suspect()).as("out, no longer a suspect").isFalse();
    }

    @Test
    void oneGoodProbeBetweenFailuresStartsTheCountAgain() {
        strikes.record("a", FIRST_START, true);
        strikes.record("a", FIRST_START, false);
        strikes.record("a", FIRST_START, true);

        assertThat(strikes.record("a", FIRST_START, false)).isTrue();
    }

    @Test
    void aNewReplicaStaysOutFromItsFirstFailedProbe() {
        assertThat(strikes.record("new", FIRST_START, false)).isFalse();
        assertThat(strikes.record("new", FIRST_START, true)).isTrue();
    }

    @Test
    void aReplicaWhoseProcessStartedAgainIsNewItsFirstFailedProbeTakesItOut() {
        strikes.record("a", FIRST_START, true);

        assertThat(strikes.record("a", RESTARTED, false))
                .as("a crash the restart policy undid: nothing of the process that served is left")
                .isFalse();
        assertThat(strikes.record("a", RESTARTED, true)).isTrue();
        assertThat(strikes.record("a", RESTARTED, false))
                .as("once it served again, one failure is forgiven again")
                .isTrue();
    }

    @Test
    void aReplicaThatWentAndCameBackUnderTheSameIdIsNew() {
        strikes.record("a", FIRST_START, true);
        strikes.retain(Set.of());

        assertThat(strikes.record("a", FIRST_START, false)).isFalse();
    }
}
