package io.stackctl.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AutoscaleSettingsTest {

    private static Optional<AutoscaleSettings> parse(Map<String, String> settings) {
        return AutoscaleSettings.parse(settings::get);
    }

    @Test
    void offUnlessAutoscaleNamesARange() {
        assertThat(parse(Map.of())).isEmpty();
        assertThat(parse(Map.of("AUTOSCALE", "off", "AUTOSCALE_TARGET", "nonsense")))
                .isEmpty();
    }

    @Test
    void defaultsAreCpuSixtyPercentAndFiveMinutesBeforeScalingIn() {
        var settings = parse(Map.of("AUTOSCALE", "2:6")).orElseThrow();
        assertThat(settings)
                .isEqualTo(new AutoscaleSettings(
                        2, 6, new ScalingTarget(ScalingTarget.Kind.CPU, 60), Duration.ofMinutes(5)));
        assertThat(settings.describe()).isEqualTo("2-6 replicas, cpu 60% per replica, scale-in after 300 s");
    }

    @Test
    void eachTargetKindAndScaleInTime() {
        assertThat(parse(Map.of("AUTOSCALE", "1:3", "AUTOSCALE_TARGET", "p99:250ms", "AUTOSCALE_SCALE_IN_AFTER", "2m"))
                        .orElseThrow())
                .isEqualTo(new AutoscaleSettings(
                        1, 3, new ScalingTarget(ScalingTarget.Kind.P99, 250), Duration.ofMinutes(2)));
        assertThat(parse(Map.of("AUTOSCALE", "2:4", "AUTOSCALE_TARGET", "RPS:40", "AUTOSCALE_SCALE_IN_AFTER", "20s"))
                        .orElseThrow())
                .isEqualTo(new AutoscaleSettings(
                        2, 4, new ScalingTarget(ScalingTarget.Kind.RPS, 40), Duration.ofSeconds(20)));
    }

    @Test
    void wrongSettingsAreRefusedNamingTheSettingAndAFix() {
        for (var wrong : new String[] {"3", "0:2", "4:2", "2:21", "a:b", "2:4:6"}) {
            assertThatThrownBy(() -> parse(Map.of("AUTOSCALE", wrong)))
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("AUTOSCALE is '" + wrong + "'")
                    .satisfies(
                            e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
        }
        for (var wrong : new String[] {"cpu", "cpu:0%", "memory:50%", "p99:-1ms", "rps:lots"}) {
            assertThatThrownBy(() -> parse(Map.of("AUTOSCALE", "2:4", "AUTOSCALE_TARGET", wrong)))
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("AUTOSCALE_TARGET is '" + wrong + "'")
                    .hasFieldOrPropertyWithValue("hint", "set it in compose/.env to " + ScalingTarget.FORMS);
        }
        for (var wrong : new String[] {"5s", "2h", "soon"}) {
            assertThatThrownBy(() -> parse(Map.of("AUTOSCALE", "2:4", "AUTOSCALE_SCALE_IN_AFTER", wrong)))
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("AUTOSCALE_SCALE_IN_AFTER is '" + wrong + "'");
        }
    }

    @Test
    void aCountOutsideTheBoundsIsRefusedForOperatorsAndClampedForUp() {
        var settings = parse(Map.of("AUTOSCALE", "2:4")).orElseThrow();
        assertThat(settings.clamp(1)).isEqualTo(2);
        assertThat(settings.clamp(3)).isEqualTo(3);
        assertThat(settings.clamp(9)).isEqualTo(4);
        settings.requireAdmits(4, "scale app=4");
        assertThatThrownBy(() -> settings.requireAdmits(5, "scale app=5"))
                .isInstanceOf(StackctlException.class)
                .hasMessage("scale app=5: 5 replicas is outside AUTOSCALE=2:4 in compose/.env, which the autoscaler"
                        + " keeps");
    }
}
