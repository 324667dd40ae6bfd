package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NetworkFaultDrillsTest {

    @Test
    void theNetworkDrillsAreNamedAndJoinDrillAll() {
        for (String name :
                new String[] {"cache-partition", "cache-loss", "db-partition", "db-latency", "replica-partition"}) {
            assertThat(DrillRunner.NAMES).contains(name);
            assertThat(DrillRunner.create(name, new Magnitudes(30, 100, 10)).name())
                    .isEqualTo(name);
        }
    }

    @Test
    void aBadMagnitudeIsRefusedWithWhatWouldDo() {
        assertThatThrownBy(() -> new Magnitudes(0, 200, 50)).hasMessageContaining("--loss must be 1 to 100");
        assertThatThrownBy(() -> new Magnitudes(20, 0, 0)).hasMessageContaining("--latency must be 1ms to");
        assertThatThrownBy(() -> new Magnitudes(20, 5_000, 0)).hasMessageContaining("the request budget");
        assertThatThrownBy(() -> new Magnitudes(20, 100, 150))
                .hasMessageContaining("--jitter must be 0 to the latency");
    }
}
