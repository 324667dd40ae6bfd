package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.fakes.RecordingEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

        assertThat(StackWaiter.allHealthy(Map.of("app", 1, "db", 1), containers, Set.of()))
                .isTrue();
        assertThat(StackWaiter.allHealthy(Map.of("app", 2, "db", 1), containers, Set.of()))
                .isFalse();
        assertThat(StackWaiter.allHealthy(Map.of("cache", 1), containers, Set.of()))
                .isFalse();
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

    @Test
    void aReplicaStillStartingToTheEngineCountsOnceItAnswersReadyDirectly() {
        var engine = RecordingEngine.running("p", 1);
        engine.pollsUntilHealthy = 1_000;
        engine.start("app", 2);
        var progress = new StringWriter();
        var waiter = new StackWaiter(engine, "p", new PrintWriter(progress), c -> c.number() == 2);

        var containers = waiter.awaitHealthy(Map.of("app", 2), c -> true, Duration.ofSeconds(5));

        assertThat(containers).extracting(ServiceContainer::number).contains(1, 2);
        assertThat(progress.toString()).containsPattern("p_app_2 +ready");
        assertThat(engine.log).noneMatch(line -> line.startsWith("healthy"));
    }

    @Test
    void aStartingReplicaThatDoesNotAnswerReadyIsWaitedFor() {
        var engine = RecordingEngine.running("p", 1);
        engine.pollsUntilHealthy = 3;
        engine.start("app", 2);
        var waiter = new StackWaiter(engine, "p", new PrintWriter(new StringWriter()), c -> false);

        waiter.awaitHealthy(Map.of("app", 2), c -> true, Duration.ofSeconds(10));

        assertThat(engine.log).contains("healthy p_app_2");
    }
}
