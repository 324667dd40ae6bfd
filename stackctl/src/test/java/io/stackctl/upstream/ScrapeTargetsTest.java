package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.stackctl.core.Json;
import io.stackctl.engine.ServiceContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeTargetsTest {

    @TempDir
    Path dir;

    private static ServiceContainer replica(int number, String state) {
        return new ServiceContainer(
                "id" + number,
                "taskmanager_app_" + number,
                "app",
                number,
                state,
                Optional.empty(),
                Optional.empty(),
                state.equals("running") ? Map.of("frontend", "172.20.0." + number) : Map.of());
    }

    private List<Map<String, Object>> written() throws Exception {
        return Json.MAPPER.readValue(Files.readString(dir.resolve("app.json")), new TypeReference<>() {});
    }

    @Test
    void everyReplicaThatExistsIsATargetByNameRunningOrNotSoAStoppedOneIsDownNotForgotten() throws Exception {
        var targets = new ScrapeTargets(dir);

        assertThat(targets.write(List.of(replica(3, "running"), replica(1, "exited"), replica(2, "restarting"))))
                .isTrue();

        assertThat(written())
                .containsExactly(
                        Map.of(
                                "targets",
                                List.of("taskmanager_app_1:8080"),
                                "labels",
                                Map.of("instance", "taskmanager_app_1")),
                        Map.of(
                                "targets",
                                List.of("taskmanager_app_2:8080"),
                                "labels",
                                Map.of("instance", "taskmanager_app_2")),
                        Map.of(
                                "targets",
                                List.of("taskmanager_app_3:8080"),
                                "labels",
                                Map.of("instance", "taskmanager_app_3")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("app.json"))))
                .as("readable by Prometheus' own user")
                .isEqualTo("rw-r--r--");
    }

    @Test
    void theFileChangesOnlyWhenAReplicaComesOrGoes() throws Exception {
        var targets = new ScrapeTargets(dir);
        targets.write(List.of(replica(1, "running"), replica(2, "running")));

        assertThat(targets.write(List.of(replica(2, "running"), replica(1, "exited"))))
                .as("the same replicas, another state")
                .isFalse();
        assertThat(targets.write(List.of(replica(1, "running"))))
                .as("a scale down")
                .isTrue();
        assertThat(written()).hasSize(1);
        assertThat(targets.write(List.of())).as("no replica left").isTrue();
        assertThat(written()).isEmpty();
    }
}
