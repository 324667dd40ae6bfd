package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemaFitTest {

    @Test
    void versionsCompareAsFlywayOrdersThemNotAsText() {
        assertThat(SchemaFit.of("2", "10")).isEqualTo(SchemaFit.older);
        assertThat(SchemaFit.of("10", "2")).isEqualTo(SchemaFit.newer);
        assertThat(SchemaFit.of("2.0", "2")).isEqualTo(SchemaFit.same);
        assertThat(SchemaFit.of("2.1", "2")).isEqualTo(SchemaFit.newer);
    }

    @Test
    void aManifestWithoutAVersionIsUnknownNotRefused() {
        assertThat(SchemaFit.of(null, "2")).isEqualTo(SchemaFit.unknown);
    }

    @Test
    void aDumpWithoutFlywayIsOlderThanAnyMigratedSchema() {
        assertThat(SchemaFit.of("", "1")).isEqualTo(SchemaFit.older);
    }
}
