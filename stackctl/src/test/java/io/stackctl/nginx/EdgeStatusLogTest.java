package io.stackctl.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeStatusLogTest {

    @TempDir
    Path dir;

    @Test
    void writtenWithTheProfileGoneWithoutItAndAReloadUntilNginxLoadedIt() throws Exception {
        var log = new EdgeStatusLog(dir.resolve("monitoring"));
        Path file = dir.resolve("monitoring").resolve(EdgeStatusLog.FILE);
        assertThat(log.set(false)).as("off, and never loaded").isFalse();
        assertThat(log.set(true)).as("on: written, to load").isTrue();
        assertThat(Files.readString(file))
                .contains("access_log /run/edge/edge-$edge_status_slot.log edge_status if=$edge_status_counted;")
                .contains("/nginx-health 0;");
        assertThat(log.set(true))
                .as("on again, a command killed before the reload: still to load")
                .isTrue();
        log.loaded();
        assertThat(log.set(true)).as("on again once loaded: no reload").isFalse();
        assertThat(log.set(false)).as("off: removed, to load").isTrue();
        assertThat(file).doesNotExist();
        log.loaded();
        assertThat(log.set(false)).as("off once loaded").isFalse();
    }

    @Test
    void theLineFormatIsTheOneEdgeMtailReads() throws Exception {
        String program = Files.readString(Path.of("..", "compose", "monitoring", "edge.mtail"));
        assertThat(program).contains("/^(?P<status>\\d{3}) (?P<request_time>\\d+\\.\\d+) (?P<upstream_status>.+)$/");
        assertThat(EdgeStatusLog.CONTENT).contains("log_format edge_status '$status $request_time $upstream_status';");
    }
}
