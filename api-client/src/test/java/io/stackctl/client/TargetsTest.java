package io.stackctl.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {

    @TempDir
    Path dir;

    private Path file(String json) throws Exception {
        return Files.writeString(dir.resolve("targets.json"), json);
    }

    @Test
    void theShippedTargetsFileReads() throws Exception {
        var targets = Targets.read(Path.of("../perf/targets.json"));

        assertThat(targets.profile("smoke").simulations()).containsExactly("read-heavy", "mixed", "cache-miss");
    }

    @Test
    void aFileOfAnotherShapeIsRefusedNamingWhatIsMissing() throws Exception {
        assertThatThrownBy(() -> Targets.read(file("{\"name\": \"not targets\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no \"profiles\" object");
        assertThatThrownBy(() -> Targets.read(file("{\"profiles\": {\"smoke\": {\"rate\": 10, \"duration_s\": 5,"
                        + " \"simulations\": [\"read-heavy\"]}}}")))
                .hasMessageContaining("profiles.smoke.targets is missing");
        assertThatThrownBy(() -> Targets.read(file("{\"profiles\": {\"smoke\": {\"rate\": 10, \"duration_s\": 5}}}")))
                .hasMessageContaining("profiles.smoke.simulations must list");
        assertThatThrownBy(() -> Targets.read(file("[1, 2]"))).isInstanceOf(Exception.class);
    }

    @Test
    void anUnknownSimulationIsNamed() throws Exception {
        assertThatThrownBy(() -> Targets.read(file("{\"profiles\": {\"smoke\": {\"rate\": 10, \"duration_s\": 5,"
                        + " \"simulations\": [\"read-haevy\"], \"targets\": {\"p50_ms\": 1, \"p95_ms\": 2, \"p99_ms\": 3,"
                        + " \"max_error_pct\": 0, \"min_rps\": 1}}}}")))
                .hasMessageContaining("names 'read-haevy'");
    }
}
