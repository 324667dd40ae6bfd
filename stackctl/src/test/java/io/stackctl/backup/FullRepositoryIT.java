package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A backup into a repository whose disk is full: a real one, a tmpfs under the repository's backup folder filled to its
 * last MiB (the database alone compresses to several), so pgBackRest meets ENOSPC half-way through its copy. The WAL
 * archive stays on the container's disk: a full archive is the stuck archiving PhysicalBackupIT covers.
 */
class FullRepositoryIT {

    private static final String BACKUP_DIR = "/var/lib/pgbackrest/backup";

    private static PostgreSQLContainer db;
    private static Engine engine;
    private static PgBackRest pgbackrest;

    @BeforeAll
    static void startDatabase() throws Exception {
        db = StackDatabase.container("stackctl/db:latest")
                .withEnv("ARCHIVE_TIMEOUT", "60s")
                // pgBackRest tries a failed write again after 15 s by default; the disk stays full for that long here.
                .withEnv("PGBACKREST_JOB_RETRY", "0")
                .withCopyToContainer(
                        org.testcontainers.images.builder.Transferable.of("it-cipher-" + UUID.randomUUID() + "\n"),
                        "/run/stack-secrets/backup-cipher-pass")
                .withCommand("bash", "/stack/db/start.sh", "-c", "fsync=off")
                .withTmpFs(Map.of(BACKUP_DIR, "rw,size=64m,mode=1777"))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true));
        db.start();
        StackDatabase.makeRoles(db, "bash /stack/db/ensure-stanza.sh");
        engine = Engine.connect(System.getenv());
        pgbackrest = new PgBackRest(engine, db.getContainerId());
    }

    @AfterAll
    static void stopDatabase() {
        StackDatabase.stop(engine, db);
    }

    @Test
    void aFullDiskFailsTheBackupNamingItLeavesTheDatabaseServingAndTheNextBackupSucceedsOnceThereIsSpace()
            throws Exception {
        sql("CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL)");
        sql("INSERT INTO notes (body) SELECT md5(i::text) FROM generate_series(1, 20000) i");
        var filled = db.execInContainer(
                "bash",
                "-c",
                "free=$(df --output=avail -k " + BACKUP_DIR + " | tail -1);"
                        + " head -c $(( (free - 1024) * 1024 )) /dev/zero > " + BACKUP_DIR + "/filler");
        assertThat(filled.getExitCode()).as(filled.getStderr()).isZero();

        assertThatThrownBy(() -> pgbackrest.backup(PgBackRest.Type.FULL, Duration.ofMinutes(5)))
                .isInstanceOfSatisfying(StackctlException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCodes.FAILED);
                    assertThat(e.getMessage())
                            .contains("pgbackrest backup --type=full into the local repository failed")
                            .containsPattern(
                                    "the disk under /var/lib/pgbackrest has [01]\\.[0-9] MiB free of 64\\.0 MiB");
                    assertThat(e.hint())
                            .contains("the disk under the repository is full")
                            .contains("BACKUP_RETENTION_DAYS")
                            .doesNotContain("BACKUP_CIPHER_PASS");
                });
        // The database never noticed: it takes writes, and the repository lists no half-made backup.
        sql("INSERT INTO notes (body) VALUES ('after the failed backup')");
        assertThat(count()).isEqualTo(20001);
        assertThat(pgbackrest.info().backups()).isEmpty();

        // Space freed: the next backup succeeds with no other step, and restores what the database holds.
        var freed = db.execInContainer("rm", BACKUP_DIR + "/filler");
        assertThat(freed.getExitCode()).as(freed.getStderr()).isZero();
        var taken = pgbackrest.backup(PgBackRest.Type.FULL, Duration.ofMinutes(5));
        assertThat(taken).singleElement().satisfies(copy -> {
            assertThat(copy.backup().type()).isEqualTo("full");
            assertThat(copy.backup().storedSize()).isGreaterThan(1024L * 1024);
        });
        assertThat(pgbackrest.info().backups())
                .extracting(RepositoryInfo.Backup::label)
                .containsExactly(taken.get(0).backup().label());
    }

    private static long count() throws SQLException {
        try (var c = DriverManager.getConnection(db.getJdbcUrl(), db.getUsername(), db.getPassword());
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sql(String statement) throws SQLException {
        try (var c = DriverManager.getConnection(db.getJdbcUrl(), db.getUsername(), db.getPassword())) {
            c.createStatement().execute(statement);
        }
    }
}
