package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SloTargetTest {

    @TempDir
    Path dir;

    @Test
    void theBudgetIsWhatMayFail() {
        assertThat(SloTarget.parse("99.9").budget()).hasToString("0.001");
        assertThat(SloTarget.parse("99.95").budget()).hasToString("0.0005");
        assertThat(SloTarget.parse("99").budget()).hasToString("0.01");
        assertThat(SloTarget.parse("99.5%").budget()).hasToString("0.005");
        assertThat(SloTarget.parse("90").budget()).hasToString("0.1");
    }

    @Test
    void anAvailabilityOutsideNinetyToBelowHundredIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"100", "100.0", "89.9", "0.999", "abc", "", "-99.9", "99,9", "1e2"}) {
            assertThatThrownBy(() -> SloTarget.parse(bad))
                    .as(bad)
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("SLO_AVAILABILITY")
                    .satisfies(
                            e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
        }
    }

    @Test
    void theDefaultComesFromTheEnvFileOrTheShell() throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "SLO_AVAILABILITY=99.5\n");
        assertThat(SloTarget.of(Map.of(), EnvFile.load(env)).availability()).isEqualTo("99.5");
        assertThat(SloTarget.of(Map.of("SLO_AVAILABILITY", "99"), EnvFile.load(env))
                        .availability())
                .isEqualTo("99");
        assertThat(SloTarget.of(Map.of(), EnvFile.load(dir.resolve("none"))).availability())
                .isEqualTo(SloTarget.DEFAULT);
    }

    @Test
    void theDefaultsRuleFileIsTheOneThePromtoolTestsLoad() throws Exception {
        assertThat(SloTarget.parse(SloTarget.DEFAULT).rules())
                .isEqualTo(Files.readString(Path.of("../compose/monitoring/tests/slo-99.9.yml")));
        assertThat(SloTarget.parse("99").rules())
                .isEqualTo(Files.readString(Path.of("../compose/monitoring/tests/slo-99.yml")));
    }

    @Test
    void writesOnlyWhatChangedReadableByPrometheus() throws Exception {
        Path targets = dir.resolve("monitoring");
        assertThat(SloTarget.parse("99.9").write(targets)).isTrue();
        assertThat(SloTarget.parse("99.9").write(targets)).as("unchanged").isFalse();
        assertThat(SloTarget.parse("99.5").write(targets)).isTrue();
        Path file = targets.resolve(SloTarget.FILE);
        assertThat(Files.readString(file)).contains("vector(0.005)");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-r--r--");
        try (var listing = Files.list(targets)) {
            assertThat(listing).as("no temporary file left").containsExactly(file);
        }
    }
}
