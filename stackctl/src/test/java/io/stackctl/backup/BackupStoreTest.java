package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupStoreTest {

    @TempDir
    Path dir;

    @Test
    void aProjectOwnsOnlyDumpsNamedForExactlyIt() {
        assertThat(BackupStore.belongsTo("taskmanager-20261201T131444Z.dump", "taskmanager"))
                .isTrue();
        assertThat(BackupStore.belongsTo("taskmanager-20261201T131444Z-2.dump", "taskmanager"))
                .isTrue();
        assertThat(BackupStore.belongsTo("taskmanager-staging-20261201T131444Z.dump", "taskmanager"))
                .isFalse();
        assertThat(BackupStore.belongsTo("taskmanager-staging-20261201T131444Z.dump", "taskmanager-staging"))
                .isTrue();
        assertThat(BackupStore.belongsTo("taskmanager-notes.dump", "taskmanager"))
                .isFalse();
    }

    @Test
    void latestOfAProjectNeverPicksAnotherProjectWhoseNameItPrefixes() throws Exception {
        Files.writeString(dir.resolve("taskmanager-20261201T100000Z.dump"), "older, ours");
        Files.writeString(dir.resolve("taskmanager-staging-20261201T120000Z.dump"), "newer, staging's");
        Files.setLastModifiedTime(
                dir.resolve("taskmanager-20261201T100000Z.dump"), java.nio.file.attribute.FileTime.fromMillis(1_000));

        var store = new BackupStore(dir);

        assertThat(store.list("taskmanager"))
                .extracting(BackupStore.StoredBackup::name)
                .containsExactly("taskmanager-20261201T100000Z.dump");
        assertThat(store.resolve("latest", "taskmanager").name()).isEqualTo("taskmanager-20261201T100000Z.dump");
    }

    @Test
    void aBareNameIsTheStoresEvenWhenTheCurrentDirectoryHasAFileOfThatName() throws Exception {
        Path store = Files.createDirectory(dir.resolve("dumps"));
        String name = "stackctl-test-" + System.nanoTime() + ".dump";
        Files.writeString(store.resolve(name), "the store's");
        Path inWorkingDir = Path.of(name).toAbsolutePath();
        Files.writeString(inWorkingDir, "planted in the working directory");
        try {
            var resolved = new BackupStore(store).resolve(name, "taskmanager");

            assertThat(resolved.dump()).isEqualTo(store.resolve(name).toAbsolutePath());
        } finally {
            Files.deleteIfExists(inWorkingDir);
        }
    }

    @Test
    void aPrivateFileIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("x.dump");

        BackupStore.createPrivate(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }
}
