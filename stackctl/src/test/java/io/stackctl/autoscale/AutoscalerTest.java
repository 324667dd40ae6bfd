package io.stackctl.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.stack.StackLock;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

    @Test
    void onlyACommandThatSaysSoLetsTheAutoscalerActUnderItsLock() {
        String spike = StackLock.describe("drill load-spike --rate 20") + " " + StackLock.ADMITS_AUTOSCALER;
        assertThat(Autoscaler.admitsAutoscaler(spike)).isTrue();
        assertThat(Autoscaler.admitsAutoscaler(StackLock.describe("drill all --duration 3s")))
                .isFalse();
        assertThat(Autoscaler.admitsAutoscaler(StackLock.describe("deploy --title load-spike")))
                .isFalse();
        assertThat(Autoscaler.admitsAutoscaler("")).isFalse();
    }
}
