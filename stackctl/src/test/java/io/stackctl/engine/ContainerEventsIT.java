package io.stackctl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * What wakes the upstream agent, against the real engine: a container's lifecycle does, the execs every health check
 * makes do not (woken by those, the agent ran a round several times a second on an idle stack).
 */
class ContainerEventsIT {

    @Test
    void execsWakeNoListenerAndAStopDoes() throws Exception {
        String project = "events-it-" + UUID.randomUUID().toString().substring(0, 8);
        String image = System.getenv().getOrDefault("REDIS_IMAGE", "");
        var events = new AtomicInteger();
        List<ContainerEvent> died = new CopyOnWriteArrayList<>();
        var engine = DockerEngine.connect(System.getenv());
        try (var container = new GenericContainer<>(DockerImageName.parse(image.isBlank() ? "redis:7" : image))
                .withLabels(Map.of("com.docker.compose.project", project))
                .withCommand("redis-server", "--save", "", "--appendonly", "no")) {
            container.start();
            try (var listening = engine.onContainerEvents(
                    project,
                    event -> {
                        events.incrementAndGet();
                        if (event.died()) {
                            died.add(event);
                        }
                    },
                    () -> {})) {
                // The stream is live once it delivers: pause and unpause until it does, then let the last arrive.
                for (int i = 0; i < 40 && events.get() == 0; i++) {
                    engine.pause(container.getContainerId());
                    engine.unpause(container.getContainerId());
                    Thread.sleep(250);
                }
                assertThat(events.get()).as("events for a pause and an unpause").isPositive();
                Thread.sleep(500);
                events.set(0);

                for (int i = 0; i < 5; i++) {
                    assertThat(container.execInContainer("true").getExitCode()).isZero();
                }
                Thread.sleep(1_000);
                assertThat(events).as("events delivered for 5 execs").hasValue(0);

                engine.kill(container.getContainerId());
                awaitAtLeast(events, 1);
                for (int i = 0; i < 50 && died.isEmpty(); i++) {
                    Thread.sleep(100);
                }
                // What the upstream agent takes a dead replica out of rotation by, without asking the engine again.
                assertThat(died).as("a die event naming the container").anySatisfy(event -> {
                    assertThat(event.containerId()).isEqualTo(container.getContainerId());
                    assertThat(event.name())
                            .isEqualTo(container.getContainerName().replaceFirst("^/", ""));
                });
            }
        }
    }

    private static void awaitAtLeast(AtomicInteger events, int count) throws InterruptedException {
        for (int i = 0; i < 100 && events.get() < count; i++) {
            Thread.sleep(100);
        }
        assertThat(events.get()).as("events delivered").isGreaterThanOrEqualTo(count);
    }
}
