package io.stackctl.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessRunnerTraceTest {

    @Test
    void verboseShowsEachCommandAsAShellWouldRunItBeforeItRuns() {
        var trace = new StringWriter();
        var runner = new ProcessRunner(Map.of(), Path.of("."), new PrintWriter(trace));

        runner.check(List.of("echo", "two words", "it's"), Duration.ofSeconds(10));

        assertThat(trace.toString()).isEqualTo("+ echo 'two words' 'it'\\''s'\n");
    }

    @Test
    void withoutVerboseNothingIsTraced() {
        var runner = new ProcessRunner(Map.of(), Path.of("."));

        assertThat(runner.check(List.of("echo", "ok"), Duration.ofSeconds(10)).stdout())
                .isEqualTo("ok\n");
    }
}
