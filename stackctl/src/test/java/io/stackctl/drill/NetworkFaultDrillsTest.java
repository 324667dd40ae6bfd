package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NetworkFaultDrillsTest {

    @Test
    void theNetworkDrillsAreNamedAndJoinDrillAll() {
        for (String name : new String[] {
            "cache-partition", "cache-loss", "cache-latency", "db-partition", "db-latency", "replica-partition"
        }) {
            assertThat(DrillRunner.NAMES).contains(name);
            assertThat(DrillRunner.create(name, new Magnitudes(30, 100, 10, 64)).name())
                    .isEqualTo(name);
        }
    }

    @Test
    void aBadMagnitudeIsRefusedWithWhatWouldDo() {
        assertThatThrownBy(() -> new Magnitudes(0, 200, 50, 0)).hasMessageContaining("--loss must be 1 to 100");
        assertThatThrownBy(() -> new Magnitudes(20, 0, 0, 0)).hasMessageContaining("--latency must be 1ms to");
        assertThatThrownBy(() -> new Magnitudes(20, 5_000, 0, 0)).hasMessageContaining("the request budget");
        assertThatThrownBy(() -> new Magnitudes(20, 100, 150, 0))
                .hasMessageContaining("--jitter must be 0 to the latency");
        assertThatThrownBy(() -> new Magnitudes(20, 100, 10, 4)).hasMessageContaining("--bandwidth must be 8kbit");
        // a jitter alone is checked against the drill's own latency, as the drill is made
        var jitterOnly = new Magnitudes(20, Magnitudes.DRILL_DEFAULT, 150, 0);
        assertThatThrownBy(() -> DrillRunner.create("cache-latency", jitterOnly))
                .hasMessageContaining("jitter must be 0 to the latency (100 ms)");
        assertThat(DrillRunner.create("db-latency", jitterOnly).name()).isEqualTo("db-latency");
        assertThatThrownBy(() -> Magnitudes.kbit("fast")).hasMessageContaining("like 64kbit, 2mbit or 1gbit");
    }

    @Test
    void bandwidthIsReadAsKbitPerSecond() {
        assertThat(Magnitudes.kbit("64kbit")).isEqualTo(64);
        assertThat(Magnitudes.kbit("2Mbit")).isEqualTo(2_000);
        assertThat(Magnitudes.kbit("1gbit")).isEqualTo(1_000_000);
        assertThat(Magnitudes.kbit("none")).isZero();
    }
}
