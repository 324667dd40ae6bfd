package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.engine.ServiceContainer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RollingDeployTest {

    private static ServiceContainer replica(String image, String hash) {
        return new ServiceContainer(
                "c1",
                "p_app_1",
                "app",
                1,
                "running",
                Optional.of("healthy"),
                Optional.empty(),
                Map.of(),
                image,
                hash,
                0);
    }

    @Test
    void aReplicaRunsATargetOnlyWithItsImageAndOneOfItsConfigHashes() {
        var target = new RollingDeploy.Target(null, "sha256:new", Set.of("h1", "h2"));

        assertThat(RollingDeploy.runs(replica("sha256:new", "h2"), target)).isTrue();
        assertThat(RollingDeploy.runs(replica("sha256:old", "h1"), target))
                .as("old image")
                .isFalse();
        assertThat(RollingDeploy.runs(replica("sha256:new", "h3"), target))
                .as("other settings")
                .isFalse();
    }

    @Test
    void aFailureQuotesTheAppsJsonLogMessageNotTheWholeLine() {
        String line =
                "{\"timestamp\":\"2026-12-01T13:12:14Z\",\"message\":\"invalid configuration: DB_POOL_SIZE must be"
                        + " a whole number from 1 to 200, got '0'\",\"level\":\"ERROR\"}";

        assertThat(RollingDeploy.messageOf(line))
                .isEqualTo("invalid configuration: DB_POOL_SIZE must be a whole number from 1 to 200, got '0'");
        assertThat(RollingDeploy.messageOf("  plain text  ")).isEqualTo("plain text");
    }
}
