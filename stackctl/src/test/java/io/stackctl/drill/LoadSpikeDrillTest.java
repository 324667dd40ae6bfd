package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoadSpikeDrillTest {

    private static final Instant NOW = Instant.parse("2026-12-06T05:09:00Z");

    @Test
    void theSpikeWaitsUntilTheAutoscalerWatchedTheSteadyLoadForAWholeWindow() {
        // the agent made by up 3 s ago: 20 s of window and one reading's tick (5 s) are still to come
        assertThat(LoadSpikeDrill.baselineWait(
                        Optional.of(NOW.minusSeconds(3)), Optional.empty(), Optional.of(NOW.minusSeconds(60)), NOW))
                .isEqualTo(Duration.ofSeconds(22));
        // a decision (or a replica started) since the agent started counts from then
        assertThat(LoadSpikeDrill.baselineWait(
                        Optional.of(NOW.minusSeconds(600)),
                        Optional.of(NOW.minusSeconds(10)),
                        Optional.of(NOW.minusSeconds(15)),
                        NOW))
                .isEqualTo(Duration.ofSeconds(15));
        assertThat(LoadSpikeDrill.baselineWait(
                        Optional.of(NOW.minusSeconds(600)), Optional.empty(), Optional.of(NOW.minusSeconds(12)), NOW))
                .isEqualTo(Duration.ofSeconds(13));
    }

    @Test
    void aStackThatHasBeenSteadyForAWindowIsSpikedAtOnce() {
        assertThat(LoadSpikeDrill.baselineWait(
                        Optional.of(NOW.minusSeconds(25)), Optional.empty(), Optional.of(NOW.minusSeconds(90)), NOW))
                .isZero();
        assertThat(LoadSpikeDrill.baselineWait(Optional.empty(), Optional.empty(), Optional.empty(), NOW))
                .isZero();
    }

    @Test
    void aShorterSpikeBoundsTheScaleOutByItsOwnLengthAndTheLoadItPlansFor() {
        var short40 = new LoadSpikeDrill(Duration.ofSeconds(40));
        var minute = new LoadSpikeDrill();
        assertThat(short40.outWithin()).isEqualTo(Duration.ofSeconds(40));
        assertThat(minute.outWithin()).isEqualTo(Duration.ofSeconds(60));
        assertThat(new LoadSpikeDrill(Duration.ofMinutes(5)).outWithin()).isEqualTo(Duration.ofSeconds(60));
        // the request cap is planned from the spike: 5x its length, plus the scale-in's wait
        assertThat(minute.faultLoadSeconds() - short40.faultLoadSeconds()).isEqualTo(5 * 20);
    }

    @Test
    void aSpikeTooShortForTheAutoscalerToDecideIsRefusedNamingTheRange() {
        assertThatThrownBy(() -> new LoadSpikeDrill(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--spike must be 40s to 10m")
                .hasMessageContaining("got 30s");
        assertThatThrownBy(() -> LoadSpikeDrill.checkSpike(Duration.ofMinutes(11)))
                .hasMessageContaining("--spike must be 40s to 10m");
    }
}
