package io.stackctl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExerciseDataTest {

    @Test
    void theCleanUpTouchesOnlyThisRunsTaggedTasksAboveItsMark() {
        String sql = ExerciseData.cleanUpSql(41, "0a1b2c3d");

        assertThat(sql)
                .contains("id > 41")
                .contains("title LIKE 'bench 0a1b2c3d %'")
                .contains("title LIKE 'drill 0a1b2c3d %'")
                .doesNotContain("LIKE 'bench %'")
                .doesNotContain("LIKE 'drill %'");
    }

    @Test
    void aTagThatIsNotOursNeverReachesTheStatement() {
        assertThatThrownBy(() -> ExerciseData.cleanUpSql(1, "x' OR '1'='1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
