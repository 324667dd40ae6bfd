package io.stackctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchInputsTest {

    private static final Path TARGETS = Path.of("../perf/targets.json").toAbsolutePath();

    @Test
    void anotherRateScalesTheRequestsPerSecondTarget() {
        var plan = BenchInputs.plan(TARGETS, "smoke", Optional.of(10.0), Optional.empty(), Optional.empty());

        assertThat(plan.rate()).isEqualTo(10);
        assertThat(plan.limits().minRps()).as("smoke asks 90 of 100 req/s").isEqualTo(9.0);
    }

    @Test
    void anUnknownProfileOrAnOutOfRangeOptionIsAUsageError() {
        assertThatThrownBy(() ->
                        BenchInputs.plan(TARGETS, "nightly", Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("nightly");
        assertThatThrownBy(() -> BenchInputs.plan(
                        TARGETS, "smoke", Optional.empty(), Optional.empty(), Optional.of(Duration.ofMinutes(11))))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("--warmup");
    }
}
