package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rules of physical backups that need no server: reading pgBackRest's answers, and judging the archiver. */
class PhysicalRestoreRulesTest {

    private static String infoJson() throws Exception {
        try (var in = PhysicalRestoreRulesTest.class.getResourceAsStream("/pgbackrest/info.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void pgBackRestsInfoGivesTheBackupsTheirChainAndTheArchivedRange() throws Exception {
        var info = RepositoryInfo.parse(infoJson(), "stack").requireReadable();

        assertThat(info.backups()).extracting(RepositoryInfo.Backup::type).containsExactly("full", "incr");
        var incr = info.newest();
        assertThat(incr.reference()).isEqualTo("20261203-080141F");
        assertThat(incr.storedSize()).isEqualTo(16032);
        assertThat(incr.started()).isEqualTo(Instant.ofEpochSecond(1796284912));
        assertThat(info.walMin()).isEqualTo("000000010000000000000001");
        assertThat(info.walMax()).isEqualTo("00000003000000000000000E");
        assertThat(info.storedSize(1)).isEqualTo(3790928 + 16032);
    }

    @Test
    void withTheLocalRepositoryLostTheOffsiteOneStillServesAndTheLostOneIsNamed() throws Exception {
        // What pgbackrest info answered (for real) after the db-backup volume was deleted, with S3 as repo2.
        String json;
        try (var in = PhysicalRestoreRulesTest.class.getResourceAsStream("/pgbackrest/info-local-lost.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var info = RepositoryInfo.parse(json, "stack").requireReadable();

        assertThat(info.status()).isEqualTo("different across repos");
        assertThat(info.unreadable()).extracting(RepositoryInfo.Repository::key).containsExactly(1);
        assertThat(info.unreadable().get(0).detail()).isEqualTo("missing stanza path");
        assertThat(info.backupsIn(1)).isEmpty();
        assertThat(info.backupsIn(2)).extracting(RepositoryInfo.Backup::label).containsExactly("20261203-102624F");
        assertThat(info.repositories().get(1).walMax()).isEqualTo("000000010000000000000005");
        assertThat(info.storedSize(2)).isEqualTo(3790336);
    }

    @Test
    void anOffsiteRepositoryThatDoesNotAnswerIsListedUnreadableBesideTheLocalOne() throws Exception {
        var info = RepositoryInfo.parse(infoJson(), "stack")
                .withUnreadable(2, "unreachable: no connection to s3.example:443 within 5 s (Connection refused)");

        assertThat(info.requireReadable().backupsIn(1)).hasSize(2);
        assertThat(info.unreadable()).extracting(RepositoryInfo.Repository::key).containsExactly(2);
        assertThat(PgBackRest.hint(info.unreadable().get(0).detail())).contains("BACKUP_S3_ENDPOINT");
    }

    @Test
    void anOffsiteRepositorysFaultsGetTheirOwnHintNotTheKeys() {
        assertThat(PgBackRest.hint("ERROR: [049]: unable to get address for 'nowhere.example': [-2] Name or service"
                        + " not known"))
                .contains("BACKUP_S3_ENDPOINT");
        assertThat(PgBackRest.hint("ERROR: [095]: [CryptoError] unable to verify certificate presented by"
                        + " 'host.docker.internal:9443'"))
                .contains("BACKUP_S3_CA_FILE");
        assertThat(PgBackRest.hint("ERROR: [039]: HTTP request failed with 403 (Forbidden): *** Response Content ***:"
                        + " <Code>InvalidAccessKeyId</Code>"))
                .contains("BACKUP_S3_KEY");
    }

    @Test
    void aFullDisksErrorKeepsItsCauseAndGetsTheDisksHintNotTheKeys() {
        // As pgBackRest prints it: the cause on the next, indented line; the file half-written, as a bad key's would
        // be.
        String output = "P00  ERROR: [064]: raised from local-1 protocol: unable to write"
                + " '/var/lib/pgbackrest/backup/stack/20261203-140154F/pg_data/base/5/2838.zst'\n"
                + "            [28] No space left on device\n"
                + "P00   INFO: backup command end: aborted with exception [064]\n";

        assertThat(PgBackRest.error(output))
                .isEqualTo("ERROR: [064]: raised from local-1 protocol: unable to write"
                        + " '/var/lib/pgbackrest/backup/stack/20261203-140154F/pg_data/base/5/2838.zst'"
                        + " [28] No space left on device");
        assertThat(PgBackRest.hint(output))
                .contains("the disk under the repository is full")
                .doesNotContain("BACKUP_CIPHER_PASS");
    }

    @Test
    void aRehearsalStoppedByADamagedSegmentNamesItAndTheWayOutThatExists() {
        String file = "15-1/0000001200000001/000000120000000100000000-c61d5e4ae436429486e1b3ed79d599e8cdb70f43.zst";
        // Scratch postgres.log lines as RestoreProof.errorLines joins them, with the cause lines pgBackRest indents.
        String output = "PostgreSQL stopped before it reached the target; its log ends:\n"
                + "ERROR: [042]: raised from local-1 protocol: unable to get 000000120000000100000000:\n"
                + "       repo1: " + file + " [FormatError] zst error: [-20] Data corruption detected\n"
                + "       [FileReadError] on retry after 0ms\n"
                + "2026-12-03 14:12:12.574 UTC [30] FATAL:  recovery ended before configured recovery target was"
                + " reached\n";
        String oneCopy = RestoreProof.errorLines(output);

        assertThat(oneCopy).contains("repo1: " + file + " [FormatError] zst error: [-20] Data corruption detected");
        assertThat(PointInTimeRestore.rehearsalHint(oneCopy))
                .contains("WAL segment 000000120000000100000000 is damaged in repo1")
                .contains("docker exec <db container> rm /var/lib/pgbackrest/archive/stack/" + file)
                .contains("bin/stackctl backup --type full");

        String bothCopies = RestoreProof.errorLines(output.replace(
                "       [FileReadError]",
                "       repo2: " + file + " [FormatError] zst error: [-20] Data corruption detected\n"
                        + "       [FileReadError]"));
        assertThat(PointInTimeRestore.rehearsalHint(bothCopies))
                .contains("cannot be read from any repository (repo1, repo2)")
                .contains("restore to an instant before it was written")
                .doesNotContain("remove the damaged copy");
    }

    @Test
    void theRehearsalStartsFromTheBackupTheRestoreWillAndNeedsRoomForItBesideTheLiveDatabase() throws Exception {
        var info = RepositoryInfo.parse(infoJson(), "stack").requireReadable();
        var full = "20261203-080141F";
        var incr = "20261203-080141F_20261203-080152I";
        var time = (java.util.function.LongFunction<PointInTimeRestore.Target>)
                epoch -> PointInTimeRestore.Target.time(Instant.ofEpochSecond(epoch));

        assertThat(PointInTimeRestore.restoredFrom(info, time.apply(1796284910)))
                .get()
                .extracting(RepositoryInfo.Backup::label)
                .isEqualTo(full);
        assertThat(PointInTimeRestore.restoredFrom(info, time.apply(1796284914)))
                .get()
                .extracting(RepositoryInfo.Backup::label)
                .isEqualTo(incr);
        assertThat(PointInTimeRestore.restoredFrom(
                        info, new PointInTimeRestore.Target(PointInTimeRestore.Kind.LATEST, "")))
                .get()
                .extracting(RepositoryInfo.Backup::label)
                .isEqualTo(incr);
        assertThat(PointInTimeRestore.restoredFrom(
                        info, new PointInTimeRestore.Target(PointInTimeRestore.Kind.BACKUP, full)))
                .get()
                .extracting(RepositoryInfo.Backup::size)
                .isEqualTo(30914609L);

        long gib = 1L << 30;
        // 10 GiB to copy, with a tenth more for the WAL and 2 GiB left to the live database: 13 GiB.
        assertThat(PointInTimeRestore.shortOfRoom(10 * gib, 13 * gib)).isEmpty();
        assertThat(PointInTimeRestore.shortOfRoom(10 * gib, 12 * gib))
                .get()
                .asString()
                .contains("copies the 10.0 GiB database into a scratch volume")
                .contains("which has 12.0 GiB free")
                .contains("less than 2.0 GiB");
    }

    @Test
    void anInPlaceRestoreNeedsRoomForWhatTheDataGrowsByItsWalAndOneSegment() {
        long gib = 1L << 30;
        // A 10 GiB backup over 4 GiB of data grows it by 6 GiB; 1 GiB for the WAL, 1 GiB for a segment: 8 GiB.
        assertThat(PointInTimeRestore.shortOfRoomInPlace(10 * gib, 4 * gib, 8 * gib))
                .isEmpty();
        assertThat(PointInTimeRestore.shortOfRoomInPlace(10 * gib, 4 * gib, 8 * gib - 1))
                .get()
                .asString()
                .contains("the data directory holds 4.0 GiB and the backup 10.0 GiB")
                .contains("needs 8.0 GiB")
                .contains("which has 8.0 GiB free");
        // Data larger than the backup (rows deleted since): the rewrite shrinks it, the WAL and a segment remain.
        assertThat(PointInTimeRestore.shortOfRoomInPlace(10 * gib, 12 * gib, 2 * gib))
                .isEmpty();
        assertThat(PointInTimeRestore.shortOfRoomInPlace(10 * gib, 12 * gib, gib))
                .isPresent();
    }

    @Test
    void aRepositoryReadWithAnotherKeyIsRefusedWithTheKeyToBringBack() throws Exception {
        // What pgbackrest info answers with a wrong key (and exit 0): the info file decrypts to noise, which it quotes,
        // raw control characters and all.
        String json = "[{\"archive\":[],\"backup\":[],\"cipher\":\"aes-256-cbc\",\"db\":[],\"name\":\"stack\","
                + "\"repo\":[{\"cipher\":\"aes-256-cbc\",\"key\":1,\"status\":{\"code\":99,\"message\":"
                + "\"[FormatError] unable to load info file '/var/lib/pgbackrest/backup/stack/backup.info':\\n"
                + "FormatError: key/value found outside of section at line 1: \u0001\u0002\"}}],"
                + "\"status\":{\"code\":99,\"lock\":{\"backup\":{\"held\":false}},\"message\":\"other\"}}]";
        var unreadable = RepositoryInfo.parse(json, "stack");

        assertThatThrownBy(unreadable::requireReadable)
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("unable to load info file")
                .extracting(e -> ((StackctlException) e).hint())
                .asString()
                .contains("BACKUP_CIPHER_PASS");
    }

    @Test
    void aTargetReachesPostgresAsATimestampInUtcToTheMicrosecond() {
        var target = PointInTimeRestore.Target.time(Instant.parse("2026-12-01T14:02:16.123456Z"));

        assertThat(target.script()).containsExactly("time", "2026-12-01 14:02:16.123456+00:00");
        assertThat(new PointInTimeRestore.Target(PointInTimeRestore.Kind.BACKUP, "20261203-080141F").script())
                .containsExactly("backup", "20261203-080141F");
    }

    @Test
    void archivingIsAProblemWhenOffOrWhenASegmentWaitsPastTheLimit() {
        Instant now = Instant.parse("2026-12-03T08:00:00Z");
        var off = WalArchiving.parse("{\"archive_mode\":\"off\",\"now\":\"2026-12-03 08:00:00+00\"}");
        assertThat(off.problems(WalArchiving.STUCK_AFTER))
                .singleElement()
                .asString()
                .contains("off");

        String stuck =
                "{\"archive_mode\":\"on\",\"archived_count\":4,\"last_archived_wal\":\"000000010000000000000003\","
                        + "\"last_archived_at\":\"2026-12-03 07:50:00+00\",\"failed_count\":9,"
                        + "\"last_failed_wal\":\"000000010000000000000004\",\"last_failed_at\":\"2026-12-03 07:59:50+00\","
                        + "\"waiting\":2,\"oldest_waiting_since\":\"2026-12-03 07:52:00+00\",\"now\":\"2026-12-03 08:00:00+00\"}";
        var waiting = WalArchiving.parse(stuck);
        assertThat(waiting.now()).isEqualTo(now);
        assertThat(waiting.oldestWaiting()).isEqualTo(Duration.ofMinutes(8));
        assertThat(waiting.failing()).isTrue();
        assertThat(waiting.problems(WalArchiving.STUCK_AFTER))
                .singleElement()
                .asString()
                .contains("2 finished segments waiting, the oldest for 8m00s")
                .contains("the last push of 000000010000000000000004 failed");
        assertThat(waiting.problems(Duration.ofMinutes(10))).isEmpty();
    }
}
