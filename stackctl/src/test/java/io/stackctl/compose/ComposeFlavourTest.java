package io.stackctl.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComposeFlavourTest {

    @Test
    void prefersV2WhenBothAnswer() {
        var flavour = ComposeFlavour.choose(
                Optional.of("Docker Compose version v2.29.7\n"),
                Optional.of("docker-compose version 1.29.2, build unknown"));

        assertThat(flavour).hasValueSatisfying(f -> {
            assertThat(f.isV2()).isTrue();
            assertThat(f.version()).isEqualTo("2.29.7");
            assertThat(f.command()).containsExactly("docker", "compose");
        });
    }

    @Test
    void fallsBackToV1() {
        var flavour =
                ComposeFlavour.choose(Optional.empty(), Optional.of("docker-compose version 1.29.2, build unknown"));

        assertThat(flavour).hasValueSatisfying(f -> {
            assertThat(f.isV2()).isFalse();
            assertThat(f.describe()).isEqualTo("docker-compose 1.29.2");
        });
    }

    @Test
    void refusesV1OlderThan129() {
        assertThat(ComposeFlavour.choose(
                        Optional.empty(), Optional.of("docker-compose version 1.25.0, build 0a186604")))
                .isEmpty();
    }

    @Test
    void nothingInstalledGivesNothing() {
        assertThat(ComposeFlavour.choose(Optional.empty(), Optional.empty())).isEmpty();
        assertThat(ComposeFlavour.choose(Optional.of("docker: 'compose' is not a docker command."), Optional.empty()))
                .isEmpty();
    }
}
