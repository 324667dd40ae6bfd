package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.fakes.RecordingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbVolumeTest {

    @TempDir
    Path dir;

    private EnvFile env(String text) throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, text);
        return EnvFile.load(file);
    }

    @Test
    void withoutADeviceTheDataStaysOnTheHostsDisk() throws Exception {
        assertThat(DbVolume.configured(Map.of(), env("APP_REPLICAS=2\n"))).isFalse();
        assertThat(DbVolume.resolve(Map.of(), env("DB_VOLUME_DEVICE=\n"))).isEmpty();
    }

    @Test
    void aDeviceIsMountedAsExt4UnlessTheTypeSaysOtherwise() throws Exception {
        assertThat(DbVolume.resolve(Map.of(), env("DB_VOLUME_DEVICE=/dev/vg0/db\n")))
                .contains(new DbVolume("/dev/vg0/db", "ext4"));
        assertThat(DbVolume.resolve(Map.of(), env("DB_VOLUME_DEVICE=/dev/sdb1\nDB_VOLUME_TYPE=xfs\n")))
                .contains(new DbVolume("/dev/sdb1", "xfs"));
        assertThat(DbVolume.configured(Map.of("DB_VOLUME_DEVICE", "/dev/loop0"), env("")))
                .isTrue();
    }

    @Test
    void aDeviceThatIsNoAbsolutePathOrAFilesystemThatLosesDataIsRefusedNamingTheSetting() {
        for (String text : new String[] {
            "DB_VOLUME_DEVICE=sdb1\n",
            "DB_VOLUME_DEVICE=/dev/../etc/passwd\n",
            "DB_VOLUME_DEVICE=/dev/sdb1;rm\n",
            "DB_VOLUME_DEVICE=/dev/sdb1\nDB_VOLUME_TYPE=tmpfs\n",
            "DB_VOLUME_DEVICE=/dev/sdb1\nDB_VOLUME_TYPE=none\n"
        }) {
            assertThatThrownBy(() -> DbVolume.resolve(Map.of(), env(text)))
                    .as(text)
                    .isInstanceOfSatisfying(StackctlException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
                        assertThat(e.getMessage()).containsPattern("DB_VOLUME_(DEVICE|TYPE)");
                    });
        }
    }

    @Test
    void aVolumeKeepsTheDeviceItWasMadeOn() {
        var engine = new RecordingEngine("shop");
        var loop0 = Optional.of(new DbVolume("/dev/loop0", "ext4"));

        // no volume yet: compose makes it as configured, either way
        DbVolume.requireUnchanged(engine, "shop", loop0);
        DbVolume.requireUnchanged(engine, "shop", Optional.empty());

        engine.volumeOptions.put("shop_db-data", Map.of("type", "ext4", "device", "/dev/loop0"));
        DbVolume.requireUnchanged(engine, "shop", loop0);
        assertThatThrownBy(() -> DbVolume.requireUnchanged(engine, "shop", Optional.empty()))
                .isInstanceOfSatisfying(StackctlException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCodes.PRECONDITION);
                    assertThat(e.getMessage())
                            .contains("shop_db-data holds its data on the device /dev/loop0")
                            .contains("now asks for the host's disk");
                    assertThat(e.hint()).contains("DB_VOLUME_DEVICE=/dev/loop0").contains("Never remove the volume");
                });

        engine.volumeOptions.put("shop_db-data", Map.of());
        assertThatThrownBy(() -> DbVolume.requireUnchanged(engine, "shop", loop0))
                .hasMessageContaining("on the host's disk, and compose/.env now asks for the device /dev/loop0");
    }

    @Test
    void theDevicesFileJoinsComposeYamlOnlyWhenADeviceIsNamed() {
        var files = new StackFiles(dir);
        assertThat(files.composeFiles(false, false)).containsExactly(files.composeFile());
        assertThat(files.composeFiles(true, true))
                .containsExactly(
                        files.composeFile(),
                        files.composeDir().resolve("offsite.yaml"),
                        files.composeDir().resolve("db-volume.yaml"));
    }
}
