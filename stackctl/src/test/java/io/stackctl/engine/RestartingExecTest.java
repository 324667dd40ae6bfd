package io.stackctl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartingExecTest {

    @Test
    void onlyTheEnginesRestartingAnswerIsWaitedFor() {
        // The engine's 409 as a restore in CI met it (docker-java puts the status before the engine's JSON).
        assertThat(DockerEngine.restarting("Status 409: {\"message\":\"Container 917e31739825 is restarting, wait until"
                        + " the container is running\"}"))
                .isTrue();
        assertThat(DockerEngine.restarting("Status 409: {\"message\":\"Container 917e31739825 is not running\"}"))
                .as("a stopped container stays stopped: waiting would only delay the error")
                .isFalse();
        assertThat(DockerEngine.restarting("Status 409: {\"message\":\"Container 917e31739825 is paused, unpause the"
                        + " container before exec\"}"))
                .isFalse();
        assertThat(DockerEngine.restarting(null)).isFalse();
    }
}
