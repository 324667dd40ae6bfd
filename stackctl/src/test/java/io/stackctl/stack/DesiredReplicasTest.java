package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DesiredReplicasTest {

    @TempDir
    Path dir;

    @Test
    void theCountAskedForIsRememberedPerProject() {
        new DesiredReplicas(dir, "taskmanager").set(5);

        assertThat(new DesiredReplicas(dir, "taskmanager").get()).contains(5);
        assertThat(new DesiredReplicas(dir, "staging").get()).isEmpty();
    }

    @Test
    void aDamagedOrOutOfRangeFileCountsAsNothingRecorded() throws Exception {
        Files.writeString(dir.resolve("taskmanager.replicas"), "lots\n");
        assertThat(new DesiredReplicas(dir, "taskmanager").get()).isEmpty();

        Files.writeString(dir.resolve("taskmanager.replicas"), "0\n");
        assertThat(new DesiredReplicas(dir, "taskmanager").get()).isEmpty();
    }
}
