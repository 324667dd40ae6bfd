package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DiskFullDrillTest {

    private static final String LOG = """
            2026-12-06 03:08:18.847 UTC [59] PANIC:  could not write to file "pg_wal/xlogtemp.59": No space left on device
            waiting for space: 0 MB free on /var/lib/postgresql/data, PostgreSQL needs 64 MB to start safely
            2026-12-06 03:18:51.693 UTC [41] PANIC:  could not write to file "pg_wal/xlogtemp.41": No space left on device
            2026-12-06 03:18:58.480 UTC [7] LOG:  database system is ready to accept connections
            """;

    @Test
    void onlyWhatPostgresLoggedSinceTheFaultCounts() {
        String since = DiskFullDrill.linesSince(LOG, Instant.parse("2026-12-06T03:18:50Z"));

        assertThat(since)
                .contains("xlogtemp.41")
                .contains("ready to accept connections")
                .as("a PANIC of an earlier run is not this drill's")
                .doesNotContain("xlogtemp.59")
                .as("the entrypoint's own lines carry no stamp")
                .doesNotContain("waiting for space");
        assertThat(DiskFullDrill.linesSince(LOG, Instant.parse("2026-12-06T04:00:00Z")))
                .isEmpty();
    }

    @Test
    void isOneOfTheDrillsAndNeedsADeviceOfItsOwn() {
        assertThat(DrillRunner.NAMES).contains("disk-full");
        assertThat(DrillRunner.DISK_NAMES).containsExactly("disk-full");
        assertThat(DrillRunner.create(
                                "disk-full", new Magnitudes(20, Magnitudes.DRILL_DEFAULT, Magnitudes.DRILL_DEFAULT, 0))
                        .name())
                .isEqualTo("disk-full");
    }
}
