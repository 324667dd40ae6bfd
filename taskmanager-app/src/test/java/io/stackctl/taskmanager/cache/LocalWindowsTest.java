package io.stackctl.taskmanager.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalWindowsTest {

    @Test
    void countsPerSubjectWithinAWindowAndStartsAgainInTheNext() {
        var windows = new LocalWindows();
        for (int i = 1; i <= 11; i++) {
            assertThat(windows.increment("login:frank", 7)).isEqualTo(i);
        }
        assertThat(windows.increment("login:grace", 7))
                .as("another subject counts apart")
                .isEqualTo(1);
        assertThat(windows.increment("login:frank", 8))
                .as("the next window starts from one")
                .isEqualTo(1);
    }

    @Test
    void aFloodOfDistinctSubjectsCannotGrowItWithoutBound() {
        var windows = new LocalWindows();
        for (int i = 0; i < LocalWindows.MAX_SUBJECTS * 2; i++) {
            windows.increment("login:user" + i, 1);
        }
        assertThat(windows.increment("login:frank", 1)).isEqualTo(1);
        assertThat(windows.size()).isLessThanOrEqualTo(LocalWindows.MAX_SUBJECTS);
    }
}
