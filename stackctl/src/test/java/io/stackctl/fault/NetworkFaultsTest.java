package io.stackctl.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NetworkFaultsTest {

    @Test
    void eachModeNamesWhatTheHelperScriptApplies() {
        assertThat(new NetworkFaults.Mode.BlackHole().argument()).isEqualTo("drop");
        assertThat(new NetworkFaults.Mode.Reset().argument()).isEqualTo("reject");
        assertThat(new NetworkFaults.Mode.Loss(20).argument()).isEqualTo("loss:20");
        assertThat(new NetworkFaults.Mode.Loss(20).describe()).isEqualTo("20% packet loss");
        assertThat(new NetworkFaults.Mode.BlackHole().describe()).contains("connections hang");
    }

    @Test
    void aLossOutsideOneToAHundredPercentIsRefused() {
        assertThatThrownBy(() -> new NetworkFaults.Mode.Loss(0)).hasMessageContaining("1-100%");
        assertThatThrownBy(() -> new NetworkFaults.Mode.Loss(101)).hasMessageContaining("1-100%");
        assertThat(new NetworkFaults.Mode.Loss(100).percent()).isEqualTo(100);
    }
}
