package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetworkFaultDrillsTest {

    @Test
    void theNetworkDrillsAreNamedAndJoinDrillAll() {
        for (String name : new String[] {"cache-partition", "cache-loss", "db-partition", "replica-partition"}) {
            assertThat(DrillRunner.NAMES).contains(name);
            assertThat(DrillRunner.create(name, 30).name()).isEqualTo(name);
        }
    }
}
