package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.EnvFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalysisSettingsTest {

    @TempDir
    Path dir;

    private EnvFile env(String text) throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, text);
        return EnvFile.load(file);
    }

    @Test
    void defaultsAreFlaggersAndCompose_envAndTheShellOverrideThem() throws Exception {
        assertThat(AnalysisSettings.of(Map.of(), env("")))
                .isEqualTo(new AnalysisSettings(true, Duration.ofSeconds(30), 99, 500, 20));
        var set = AnalysisSettings.of(
                Map.of("DEPLOY_ANALYSIS", "off"),
                env("DEPLOY_ANALYSIS_SECONDS=15\nDEPLOY_MIN_SUCCESS_PERCENT=99.5\nDEPLOY_MAX_P99_MS=250\n"));
        assertThat(set).isEqualTo(new AnalysisSettings(false, Duration.ofSeconds(15), 99.5, 250, 20));
    }

    @Test
    void aValueOutOfRangeIsAUsageErrorNamingTheSettingAndItsRange() throws Exception {
        var bad = env("DEPLOY_ANALYSIS_SECONDS=5\n");
        assertThatThrownBy(() -> AnalysisSettings.of(Map.of(), bad))
                .isInstanceOfSatisfying(StackctlException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
                    assertThat(e).hasMessage("DEPLOY_ANALYSIS_SECONDS is '5', not a number from 10 to 600");
                    assertThat(e.hint()).contains("DEPLOY_ANALYSIS_SECONDS=30 by default");
                });
        var text = env("DEPLOY_MIN_SUCCESS_PERCENT=most\n");
        assertThatThrownBy(() -> AnalysisSettings.of(Map.of(), text))
                .hasMessage("DEPLOY_MIN_SUCCESS_PERCENT is 'most', not a number from 50 to 100");
    }
}
