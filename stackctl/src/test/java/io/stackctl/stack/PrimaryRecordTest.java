package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimaryRecordTest {

    @TempDir
    Path root;

    @Test
    void withoutARecordTheFoundingNodeIsThePrimaryAndUpWritesItDown() throws Exception {
        var record = new PrimaryRecord(new StackFiles(root));
        assertThat(record.recorded()).isEmpty();
        assertThat(record.primary()).isEqualTo("db");
        assertThat(record.ensure()).isTrue();
        assertThat(Files.readString(record.file())).isEqualTo("db\n");
        assertThat(record.ensure()).as("a record there is kept").isFalse();
        // The db containers read it as their root, and the agent (a container) writes it: world-readable, no more.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record.file())))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void aFailoverNamesTheOtherNodeAndTheAgentReadsTheSameFileFromItsMount() {
        var record = new PrimaryRecord(new StackFiles(root));
        record.write("db-standby");
        assertThat(new PrimaryRecord(root.resolve("compose").resolve("state")).primary())
                .as("the agent's view, compose/state mounted at /stack/state")
                .isEqualTo("db-standby");
        assertThat(record.ensure()).as("up never resets a failover").isFalse();
        assertThat(record.primary()).isEqualTo("db-standby");
        record.forget();
        assertThat(record.primary()).isEqualTo("db");
    }

    @Test
    void onlyADbNodeCanBeNamed() {
        var record = new PrimaryRecord(new StackFiles(root));
        assertThatThrownBy(() -> record.write("cache")).isInstanceOf(IllegalArgumentException.class);
        assertThat(record.recorded()).isEmpty();
    }

    @Test
    void theStandbySettingsAreOnOrOffAndSynchronousUnlessSaidOtherwise() {
        var none = EnvFile.load(root.resolve("none.env"));
        assertThat(Standby.enabled(Map.of(), none)).isFalse();
        assertThat(Standby.synchronous(Map.of(), none)).isTrue();
        assertThat(Standby.nodes(false)).containsExactly("db");
        assertThat(Standby.nodes(true)).containsExactly("db", "db-standby");
        assertThat(Standby.synchronous(Map.of("REPLICAS_SYNC", "off"), none)).isFalse();
        assertThatThrownBy(() -> Standby.enabled(Map.of("DB_STANDBY", "yes"), none))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("DB_STANDBY is 'yes', which is neither on nor off");
    }
}
