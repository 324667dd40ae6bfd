package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.postgres.PostgresContainer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * pgBackRest as the stack's db service runs it: compose/db/start.sh configures the repository and WAL archiving, the
 * health check's ensure-stanza.sh makes the stanza, and stackctl takes backups and reads the archiver's state. The
 * image must carry pgBackRest, as the stand-in and compose/images/db do.
 */
class PhysicalBackupIT {

    private static final String KEY = "it-cipher-" + UUID.randomUUID();

    private static PostgreSQLContainer db;
    private static Engine engine;
    private static PgBackRest pgbackrest;
    private static PostgresContainer postgres;
    private static RepositoryInfo.Backup full;
    private static final String MARKER = "marker-" + UUID.randomUUID();

    @BeforeAll
    static void startDatabase() throws Exception {
        db = StackDatabase.container("stackctl/db:latest")
                .withEnv("ARCHIVE_TIMEOUT", "60s")
                .withCopyToContainer(
                        org.testcontainers.images.builder.Transferable.of(KEY + "\n"),
                        "/run/stack-secrets/backup-cipher-pass")
                .withCommand("bash", "/stack/db/start.sh", "-c", "fsync=off")
                // As compose runs it (init: true): archive-push's leftover process is reaped by an init, not the
                // postmaster, which would restart the server on its failing exit.
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true));
        db.start();
        // What the db service's health check runs, until the stanza is there.
        StackDatabase.makeRoles(db, "bash /stack/db/ensure-stanza.sh");
        engine = Engine.connect(System.getenv());
        pgbackrest = new PgBackRest(engine, db.getContainerId());
        postgres = new PostgresContainer(engine, db.getContainerId(), "taskmanager", "stackctl_ops", "taskmanager_app");
        sql("CREATE TABLE IF NOT EXISTS notes (id bigserial PRIMARY KEY, body text NOT NULL)");
        // One full backup for the class, holding rows whose text the encryption test looks for.
        sql("INSERT INTO notes (body) SELECT '" + MARKER + "' FROM generate_series(1, 2000)");
        full = pgbackrest
                .backup(PgBackRest.Type.FULL, Duration.ofMinutes(5))
                .get(0)
                .backup();
    }

    @AfterAll
    static void stopDatabase() {
        StackDatabase.stop(engine, db);
    }

    @Test
    void anIncrementalBackupBuildsOnTheFullOneBeforeIt() throws Exception {
        sql("INSERT INTO notes (body) SELECT 'row ' || i FROM generate_series(1, 5000) i");
        var incr = pgbackrest
                .backup(PgBackRest.Type.INCR, Duration.ofMinutes(5))
                .get(0)
                .backup();

        assertThat(full.type()).isEqualTo("full");
        assertThat(full.label()).endsWith("F");
        assertThat(full.walStart()).matches("[0-9A-F]{24}");
        assertThat(incr.type()).isEqualTo("incr");
        assertThat(incr.reference()).isEqualTo(full.label());
        // Only what changed is stored again.
        assertThat(incr.storedSize()).isLessThan(full.storedSize());
        var info = pgbackrest.info();
        assertThat(info.backups()).extracting(RepositoryInfo.Backup::label).contains(full.label(), incr.label());
        assertThat(info.cipher()).isEqualTo("aes-256-cbc");
        assertThat(info.walMax()).isGreaterThanOrEqualTo(incr.walStop());
    }

    @Test
    void aFinishedSegmentIsArchivedAtOnceAndNothingWaits() throws Exception {
        sql("INSERT INTO notes (body) VALUES ('to archive')");
        String segment = superuserQuery("SELECT pg_walfile_name(pg_current_wal_lsn())");
        superuserQuery("SELECT pg_switch_wal()");

        awaitTrue(() -> WalArchiving.of(postgres).lastArchivedWal().compareTo(segment) >= 0, Duration.ofSeconds(30));
        var archiving = WalArchiving.of(postgres);
        assertThat(archiving.on()).isTrue();
        assertThat(archiving.failing()).isFalse();
        assertThat(archiving.problems(Duration.ZERO)).isEmpty();
        assertThat(pgbackrest.info().walMax()).isGreaterThanOrEqualTo(segment);
    }

    @Test
    void aRepositoryThatRefusesWalMakesArchivingStuckThenItCatchesUp() throws Exception {
        // The archive's folder closed to postgres: pushes fail as they would on a full or unreachable repository.
        exec("chmod", "000", "/var/lib/pgbackrest/archive/stack");
        try {
            sql("INSERT INTO notes (body) VALUES ('while stuck')");
            String segment = superuserQuery("SELECT pg_walfile_name(pg_current_wal_lsn())");
            superuserQuery("SELECT pg_switch_wal()");
            awaitTrue(() -> WalArchiving.of(postgres).failing(), Duration.ofSeconds(90));
            var stuck = WalArchiving.of(postgres);
            assertThat(stuck.waiting()).isPositive();
            assertThat(stuck.lastArchivedWal()).isLessThan(segment);
            assertThat(stuck.problems(Duration.ZERO))
                    .singleElement()
                    .asString()
                    .contains("WAL archiving is stuck")
                    .contains("failed");
            assertThat(stuck.problems(Duration.ofHours(1))).isEmpty();
        } finally {
            exec("chmod", "750", "/var/lib/pgbackrest/archive/stack");
        }
        awaitTrue(() -> WalArchiving.of(postgres).waiting() == 0, Duration.ofSeconds(90));
        assertThat(WalArchiving.of(postgres).problems(Duration.ZERO)).isEmpty();
    }

    @Test
    void theRepositoryIsUnreadableWithoutItsKey() throws Exception {
        String marker = MARKER;
        superuserQuery("SELECT pg_switch_wal()");

        // Every file of the repository, backups and archived WAL alike, is OpenSSL-format ciphertext (its first 8
        // bytes read by the shell itself: a process per file takes a minute over a repository's thousands)...
        var headers = exec(
                "bash",
                "-c",
                "while IFS= read -r -d '' f; do IFS= read -r -N 8 h <\"$f\"; echo \"$h\";"
                        + " done < <(find /var/lib/pgbackrest -type f -size +0 -print0) | sort | uniq -c");
        assertThat(headers.getStdout().strip().lines().toList())
                .singleElement()
                .asString()
                .endsWith("Salted__");
        // ...in which the rows' text appears nowhere, though the database's own files hold it in plain.
        sql("CHECKPOINT");
        assertThat(exec("grep", "-rlq", marker, "/var/lib/postgresql/data").getExitCode())
                .isZero();
        var plain = exec("grep", "-rl", marker, "/var/lib/pgbackrest");
        assertThat(plain.getExitCode()).as(plain.getStdout()).isEqualTo(1);
        // With another key pgBackRest itself cannot read it, and stackctl says which key to bring back.
        var wrongKey = exec(
                "env",
                "PGBACKREST_REPO1_CIPHER_PASS=not-the-key",
                "setpriv",
                "--reuid=postgres",
                "--regid=postgres",
                "--init-groups",
                "pgbackrest",
                "--stanza=stack",
                "--output=json",
                "info");
        var unreadable = RepositoryInfo.parse(wrongKey.getStdout(), PgBackRest.STANZA);
        assertThat(unreadable.backups()).isEmpty();
        assertThatThrownBy(unreadable::requireReadable)
                .as(wrongKey.getStdout())
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("backup.info")
                .extracting(e -> ((StackctlException) e).hint())
                .asString()
                .contains("BACKUP_CIPHER_PASS");
        // With the key, it reads what it wrote.
        assertThat(pgbackrest.info().backups()).isNotEmpty();
    }

    private static Container.ExecResult exec(String... command) throws Exception {
        return db.execInContainer(command);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + limit);
            }
            Thread.sleep(250);
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = superuser()) {
            c.createStatement().execute(statement);
        }
    }

    private static String superuserQuery(String query) throws SQLException {
        try (Connection c = superuser();
                var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Connection superuser() throws SQLException {
        return DriverManager.getConnection(db.getJdbcUrl(), db.getUsername(), db.getPassword());
    }
}
