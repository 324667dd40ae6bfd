package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.engine.ServiceContainer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StackWaiterTest {

    private static ServiceContainer container(String service, int number, String state, String health) {
        return new ServiceContainer(
                "id" + service + number,
                service + "-" + number,
                service,
                number,
                state,
                Optional.ofNullable(health),
                Optional.empty(),
                Map.of());
    }

    @Test
    void waitsForTheExpectedCountOfHealthyContainersPerService() {
        var containers = List.of(
                container("app", 1, "running", "healthy"),
                container("app", 2, "running", "starting"),
                container("db", 1, "running", "healthy"));

        assertThat(StackWaiter.allHealthy(Map.of("app", 1, "db", 1), containers))
                .isTrue();
        assertThat(StackWaiter.allHealthy(Map.of("app", 2, "db", 1), containers))
                .isFalse();
        assertThat(StackWaiter.allHealthy(Map.of("cache", 1), containers)).isFalse();
    }

    @Test
    void aRunningContainerWithoutHealthcheckCountsAsHealthy() {
        assertThat(container("x", 1, "running", null).healthy()).isTrue();
        assertThat(container("x", 1, "exited", null).healthy()).isFalse();
        assertThat(container("x", 1, "running", "unhealthy").healthy()).isFalse();
    }

    @Test
    void theLikelyCauseNamesWhatToCheck() {
        assertThat(StackWaiter.likelyCause(container("app", 1, "running", "starting")))
                .contains("PostgreSQL");
        assertThat(StackWaiter.likelyCause(container("db", 1, "running", "starting")))
                .contains("down --volumes");
    }
}
