package io.stackctl.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMarksTest {

    @TempDir
    Path dir;

    @Test
    void aRunIsMarkedForTheTextfileCollectorUntilItEnds() throws Exception {
        var marks = new RunMarks(dir);
        Path file;
        try (var mark = marks.start("drill", "kill-replica").orElseThrow()) {
            try (var files = Files.list(dir)) {
                file = files.filter(f -> f.toString().endsWith(".prom"))
                        .findFirst()
                        .orElseThrow();
            }
            assertThat(Files.readString(file))
                    .contains("# TYPE stackctl_run_active gauge\n")
                    .contains(
                            "stackctl_run_active{kind=\"drill\",name=\"kill-replica\",run=\"" + mark.run() + "\"} 1\n")
                    .contains("stackctl_run_started_timestamp_seconds{kind=\"drill\"");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as("node_exporter reads it as its own user")
                    .isEqualTo("rw-r--r--");
            assertThat(marks.sweep()).as("a live run's mark stays").isEmpty();
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void theMarkOfARunWhoseProcessIsGoneIsSweptAndNothingElse() throws Exception {
        Path dead = dir.resolve("run-2147483646-1.prom"); // no such process
        Files.writeString(dead, "stackctl_run_active{kind=\"bench\",name=\"smoke\",run=\"x\"} 1\n");
        Path other = Files.writeString(dir.resolve("node.prom"), "something_else 1\n");

        assertThat(new RunMarks(dir).sweep()).containsExactly(dead);
        assertThat(dead).doesNotExist();
        assertThat(other).exists();
    }

    @Test
    void withoutItsFolderARunGoesUnmarked() {
        assertThat(new RunMarks(dir.resolve("missing")).start("bench", "smoke")).isEmpty();
    }
}
