package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseHistoryTest {

    @TempDir
    Path root;

    private static Release release(int id, Release.Status status) {
        return Releases.release(id, "sha256:" + "ab".repeat(32), "hash" + id, status);
    }

    @Test
    void aReleaseThatBecomesActiveReplacesTheOneBefore() {
        var history = new ReleaseHistory(root, "taskmanager");
        history.add(release(1, Release.Status.active), "A=1\n");
        history.add(release(2, Release.Status.deploying), "A=2\n");

        history.update(release(2, Release.Status.active));

        assertThat(history.all())
                .extracting(Release::status)
                .containsExactly(Release.Status.replaced, Release.Status.active);
        assertThat(history.active()).map(Release::id).contains(2);
    }

    @Test
    void rollbackReturnsToTheNewestReleaseThatServedSkippingFailedAndUnfinishedOnes() {
        var history = new ReleaseHistory(root, "taskmanager");
        history.add(release(1, Release.Status.replaced), "A=1\n");
        history.add(release(2, Release.Status.rolled_back), "A=2\n");
        history.add(release(3, Release.Status.deploying), "A=3\n");
        history.add(release(4, Release.Status.active), "A=4\n");

        assertThat(history.previousGood(4)).map(Release::id).contains(1);
    }

    @Test
    void manyFailedDeploysNeverPruneTheActiveReleaseNorTheOneRollbackUses() {
        var history = new ReleaseHistory(root, "taskmanager");
        history.add(release(1, Release.Status.replaced), "A=1\n");
        history.add(release(2, Release.Status.active), "A=2\n");
        for (int id = 3; id <= 40; id++) {
            history.add(release(id, Release.Status.rolled_back), "A=" + id + "\n");
        }

        assertThat(history.active()).map(Release::id).contains(2);
        assertThat(history.envFile(2)).exists();
        assertThat(history.previousGood(2)).map(Release::id).contains(1);
        assertThat(history.all()).hasSize(22);
        assertThat(history.envFile(3)).doesNotExist();
        assertThat(history.envFile(40)).exists();
    }

    @Test
    void eachReleaseKeepsItsSettingsPrivatelyButNoneOfTheSecrets() throws Exception {
        var history = new ReleaseHistory(root, "taskmanager");
        history.add(
                release(1, Release.Status.active),
                "# Written by stackctl\nPOSTGRES_PASSWORD=secret\nCACHE_TTL_SECONDS=45\nADMIN_PASSWORD=old-admin\n"
                        + "JWT_SECRET=k\nREDIS_PASSWORD=r\nOPS_TOKEN=o\nAPP_REPLICAS=3\n");

        Path saved = history.envFile(1);
        // A rollback runs the saved settings with today's secrets: a rotated password never comes back.
        assertThat(saved).hasContent("# Written by stackctl\nCACHE_TTL_SECONDS=45\nAPP_REPLICAS=3\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved.getParent())))
                .isEqualTo("rwx------");
    }

    @Test
    void aHistoryWrittenBeforeDeclarationsWereKeptStillReads() throws Exception {
        var history = new ReleaseHistory(root, "taskmanager");
        history.add(release(1, Release.Status.active), "A=1\n");
        Path file = root.resolve("taskmanager/releases.json");
        Files.writeString(file, Files.readString(file).replaceAll(",\\s*\"declared_sha256\" : \"declared1\"", ""));

        assertThat(Files.readString(file)).doesNotContain("declared_sha256");
        assertThat(history.active()).isPresent();
        assertThat(history.active().get().declaredSha256()).isNull();
    }

    @Test
    void projectsKeepSeparateHistories() {
        new ReleaseHistory(root, "taskmanager").add(release(1, Release.Status.active), "A=1\n");

        assertThat(new ReleaseHistory(root, "taskmanager-staging").all()).isEmpty();
        assertThat(new ReleaseHistory(root, "taskmanager-staging").nextId()).isEqualTo(1);
    }

    @Test
    void oldReleasesAreDroppedWithTheirSettings() {
        var history = new ReleaseHistory(root, "taskmanager");
        for (int id = 1; id <= 25; id++) {
            history.add(release(id, Release.Status.replaced), "A=" + id + "\n");
        }

        assertThat(history.all()).hasSize(20);
        assertThat(history.all().get(0).id()).isEqualTo(6);
        assertThat(history.envFile(5)).doesNotExist();
        assertThat(history.envFile(6)).exists();
        assertThat(history.nextId()).isEqualTo(26);
    }
}
