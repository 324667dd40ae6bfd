package io.stackctl.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.client.Targets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** perf/targets.json names only simulations this module has. */
class TargetsFileTest {

    @Test
    void theShippedTargetsFileHasEveryProfileWithKnownSimulations() throws Exception {
        var targets = Targets.read(Path.of("targets.json"));

        assertThat(targets.profiles()).containsKeys("smoke", "ci", "soak");
        targets.profiles().values().forEach(profile -> {
            assertThat(profile.rate()).isPositive();
            assertThat(profile.limits().p99Ms())
                    .isGreaterThanOrEqualTo(profile.limits().p95Ms());
            profile.simulations().forEach(BenchRunner::simulationClass);
        });
        assertThat(List.of("read-heavy", "mixed", "cache-miss"))
                .allSatisfy(
                        name -> assertThat(BenchRunner.simulationClass(name)).startsWith("io.stackctl.perf."));
    }
}
