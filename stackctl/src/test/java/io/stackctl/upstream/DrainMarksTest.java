package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrainMarksTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void markedReplicasAreDrainingUntilUnmarked() {
        var marks = new DrainMarks(dir);
        marks.mark(List.of(A, B), NOW);
        marks.unmark(List.of(A));

        assertThat(marks.active(NOW.plusSeconds(5))).containsExactly(B);
    }

    @Test
    void aMarkLeftByAStackctlThatDiedExpiresSoTheReplicaServesAgain() {
        var marks = new DrainMarks(dir);
        marks.mark(List.of(A), NOW);

        assertThat(marks.active(NOW.plus(DrainMarks.EXPIRY).plusSeconds(1))).isEmpty();
    }

    @Test
    void aDamagedFileDrainsNothingInsteadOfFailingTheAgent() throws Exception {
        Files.writeString(dir.resolve("draining"), "garbage\n" + A + " not-a-time\n../x 12\n");

        assertThat(new DrainMarks(dir).active(NOW)).isEmpty();
    }

    @Test
    void anUnlistedDirectoryHasNoMarks() {
        assertThat(new DrainMarks(dir.resolve("missing")).active(NOW)).isEmpty();
    }
}
