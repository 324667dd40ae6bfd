package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** How a proof judges the scratch database's answer and where it draws its target; the restore itself is e2e. */
class RestoreProofTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void exactlyTheMarkersBeforeTheTargetPass() {
        var result = RestoreProof.judge(
                2,
                T0,
                List.of(1L, 2L, 3L),
                "{\"markers\":[1,2,3],\"tables\":{\"public.tasks\":12},\"restore_seconds\":1.5,\"ready_seconds\":3.2}",
                4.0);

        assertThat(result.passed()).isTrue();
        assertThat(result.failure()).isEmpty();
        assertThat(result.tables()).containsEntry("public.tasks", 12L);
        assertThat(result.readySeconds()).isEqualTo(3.2);
        assertThat(result.repository()).isEqualTo(2);
    }

    @Test
    void aMissingMarkerOrOneFromAfterTheTargetFailsNamingIt() {
        var missing = RestoreProof.judge(1, T0, List.of(1L, 2L, 3L), "{\"markers\":[1,2],\"tables\":{}}", 1.0);
        var extra = RestoreProof.judge(1, T0, List.of(1L, 2L), "{\"markers\":[1,2,3],\"tables\":{}}", 1.0);
        var noDatabase = RestoreProof.judge(1, T0, List.of(1L), "{\"markers\":null,\"tables\":{}}", 1.0);

        assertThat(missing.passed()).isFalse();
        assertThat(missing.failure()).contains("missing [3]");
        assertThat(extra.passed()).isFalse();
        assertThat(extra.failure()).contains("from after it [3]");
        assertThat(noDatabase.passed()).isFalse();
        assertThat(noDatabase.failure()).contains("missing [1]");
    }

    @Test
    void theTargetIsDrawnInsideTheWindowAfterTheFirstMarkerAndClearOfEveryMarker() {
        var markers = List.of(
                new RestoreProof.Marker(1, T0.plusSeconds(30)),
                new RestoreProof.Marker(2, T0.plusSeconds(90)),
                new RestoreProof.Marker(3, T0.plusSeconds(150)));
        var random = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            Instant target = RestoreProof.draw(T0, T0.plusSeconds(180), markers, random);

            assertThat(target).isAfterOrEqualTo(T0.plusSeconds(31)).isBeforeOrEqualTo(T0.plusSeconds(180));
            assertThat(markers)
                    .allSatisfy(m ->
                            assertThat(Duration.between(m.at(), target).abs()).isGreaterThan(RestoreProof.MARGIN));
        }
    }

    @Test
    void anEmptyWindowIsRefusedWithWhenToTryAgain() {
        var markers = List.of(new RestoreProof.Marker(1, T0.plusSeconds(30)));

        assertThatThrownBy(() -> RestoreProof.draw(T0, T0.plusSeconds(30), markers, new SplittableRandom(1)))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("nothing after its oldest backup");
    }
}
