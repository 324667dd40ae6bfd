package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionBudgetTest {

    @ParameterizedTest(name = "max_connections {0}, pool {1}: {2} replicas + {3} surge fit = {4}")
    @CsvSource({
        // PostgreSQL's default of 100 with the default pool of 10: 92 for the pools
        "100, 10, 3, 1, true",
        "100, 10, 8, 1, true",
        "100, 10, 9, 1, false",
        "100, 10, 9, 0, true",
        "100, 10, 10, 0, false",
        // blue/green starts a whole second set
        "100, 10, 4, 4, true",
        "100, 10, 5, 5, false",
        // the largest scale stackctl allows
        "200, 5, 20, 1, true",
        "200, 10, 20, 1, false",
        // one replica with the largest pool the app takes
        "100, 200, 1, 0, false",
    })
    void replicasTimesPoolMustFitBesideWhatPostgresKeeps(
            int maxConnections, int pool, int replicas, int surge, boolean fits) {
        assertThat(new ConnectionBudget(maxConnections, pool).fits(replicas, surge))
                .isEqualTo(fits);
    }

    @Test
    void theLargestScaleLeavesRoomForOneMoreDuringADeploy() {
        assertThat(new ConnectionBudget(100, 10).maxReplicas()).isEqualTo(8);
        assertThat(new ConnectionBudget(100, 5).maxReplicas()).isEqualTo(17);
        assertThat(new ConnectionBudget(5, 10).maxReplicas()).isZero();
    }

    @Test
    void aRefusalNamesEveryNumberAndTheWaysOut() {
        assertThatThrownBy(() -> new ConnectionBudget(100, 10).require(12, 1, "scale app=12"))
                .isInstanceOf(StackctlException.class)
                .hasMessage("scale app=12 needs up to 130 PostgreSQL connections ((12 replicas + 1 starting beside"
                        + " them) x DB_POOL_SIZE 10), but max_connections 100 leaves 92 for the pools (3 kept for"
                        + " superusers and 5 for backups and psql)")
                .satisfies(e -> {
                    var refusal = (StackctlException) e;
                    assertThat(refusal.exitCode()).isEqualTo(ExitCodes.USAGE);
                    assertThat(refusal.hint()).contains("8 replicas or fewer").contains("DB_POOL_SIZE");
                });
    }
}
