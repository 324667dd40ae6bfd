package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.postgres.PostgresContainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Backup, restore and verify against a real PostgreSQL server, through the engine like the CLI does. */
class BackupRestoreIT {

    private static final String APP_PASSWORD = StackDatabase.APP_PASSWORD;

    private static PostgreSQLContainer db;
    private static Engine engine;

    @TempDir
    Path dir;

    private BackupStore store;
    private Backups backups;

    @BeforeAll
    static void startDatabase() throws Exception {
        db = StackDatabase.container("postgres:15");
        db.start();
        StackDatabase.makeRoles(db);
        engine = Engine.connect(System.getenv());
    }

    @AfterAll
    static void stopDatabase() {
        StackDatabase.stop(engine, db);
    }

    @BeforeEach
    void freshSchemaWithData() throws SQLException {
        try (Connection c = superuser()) {
            c.createStatement()
                    .execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION taskmanager_app");
        }
        sql("CREATE TABLE tasks (id bigserial PRIMARY KEY, title text NOT NULL, status text NOT NULL)");
        sql("CREATE TABLE \"Odd Table\" (note text)");
        sql("INSERT INTO tasks (title, status) SELECT 'task ' || i || ' ' || md5(i::text) || ' ünïcødé ''quoted''',"
                + " CASE WHEN i % 3 = 0 THEN 'done' ELSE 'pending' END FROM generate_series(1, 2000) i");
        sql("INSERT INTO \"Odd Table\" VALUES ('kept'), (NULL)");
        store = new BackupStore(dir);
        var postgres =
                new PostgresContainer(engine, db.getContainerId(), "taskmanager", "stackctl_ops", "taskmanager_app");
        backups = new Backups(
                postgres,
                store,
                "it",
                "test",
                new PrintWriter(new StringWriter()),
                Clock.systemUTC(),
                Duration.ofMinutes(5));
    }

    @Test
    void backupThenChangeThenRestoreBringsBackCountsAndContent() throws Exception {
        String before = fingerprint();
        var created = backups.backup();

        assertThat(created.manifest().rowCounts())
                .containsEntry("public.tasks", 2000L)
                .containsEntry("public.\"Odd Table\"", 2L);
        assertThat(created.manifest().sha256()).isEqualTo(Sha256.of(created.file()));
        assertThat(created.manifest().sizeBytes()).isEqualTo(Files.size(created.file()));
        assertThat(created.manifest().postgresVersion()).startsWith("15");
        assertThat(BackupStore.readManifest(created.file())).contains(created.manifest());

        changeEverything();
        assertThat(fingerprint()).isNotEqualTo(before);

        var backup = store.resolve("latest", "it");
        backups.restore(backup, backups.check(backup));

        assertThat(fingerprint()).isEqualTo(before);
        sql("INSERT INTO tasks (title, status) VALUES ('after restore', 'pending')");
        assertThat(queryLong("SELECT max(id) FROM tasks")).isEqualTo(2001L); // the sequence came back too
    }

    @Test
    void aDumpAndItsManifestAreReadableByTheirOwnerOnly() throws Exception {
        var created = backups.backup();

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(created.file())))
                .isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(BackupStore.manifestPath(created.file()))))
                .isEqualTo("rw-------");
    }

    @Test
    void theManifestRecordsTheFlywayVersionOfTheDumpedSchema() throws Exception {
        migrateTo(2);

        assertThat(backups.backup().manifest().schemaVersion()).isEqualTo("2");
    }

    @Test
    void aDumpFromAnOlderSchemaRestoresIntoANewerDatabaseExactlyAsItWas() throws Exception {
        migrateTo(1);
        String atV1 = fingerprint();
        backups.backup();
        migrateTo(2); // the new table's key into tasks is what blocked a --clean restore
        changeEverything();

        var backup = store.resolve("latest", "it");
        var restored = backups.restore(backup, backups.check(backup));

        assertThat(restored.fit().fit()).isEqualTo(SchemaFit.older);
        assertThat(fingerprint()).isEqualTo(atV1);
        assertThat(backups.liveSchemaVersion()).as("the app migrates it next").isEqualTo("1");
        assertThat(queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'idempotency_keys'"))
                .isZero();
    }

    @Test
    void aDumpFromANewerSchemaThanTheRunningAppIsRefusedAndChangesNothing() throws Exception {
        migrateTo(2);
        backups.backup();
        migrateTo(1); // the app running now only knows V1
        changeEverything();
        String before = fingerprint();

        var backup = store.resolve("latest", "it");
        assertRefused(() -> backups.restore(backup, backups.check(backup)), "newer than the running app's V1");

        assertThat(fingerprint()).isEqualTo(before);
    }

    @Test
    void verifyTellsThatANewerSchemaDumpCouldNotBeRestoredHere() throws Exception {
        migrateTo(2);
        backups.backup();
        migrateTo(1);

        var verified = backups.verify(store.resolve("latest", "it"));

        assertThat(verified.verified()).as("the dump itself is intact").isTrue();
        assertThat(backups.schemaFit(verified).fit()).isEqualTo(SchemaFit.newer);
    }

    @Test
    void aRestoreStoppedByItsTimeoutIsRolledBackInsidePostgresAndLeavesNothingRunning() throws Exception {
        backups.backup();
        changeEverything();
        String before = fingerprint();
        var hurried = new Backups(
                new PostgresContainer(engine, db.getContainerId(), "taskmanager", "stackctl_ops", "taskmanager_app"),
                store,
                "it",
                "test",
                new PrintWriter(new StringWriter()),
                Clock.systemUTC(),
                Duration.ofSeconds(1));
        var backup = store.resolve("latest", "it");
        var manifest = hurried.check(backup);

        // A long reader holds its lock on tasks: the restore waits on it past its timeout, as a big one would.
        try (Connection reader = connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().executeQuery("SELECT count(*) FROM tasks").close();

            String session = PostgresContainer.newSession();
            assertThatThrownBy(() -> hurried.restore(backup, manifest, session))
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("rolled back inside PostgreSQL; the database is unchanged");
            assertThat(postgres().committed("taskmanager", session))
                    .as("the database says the stopped restore never committed")
                    .isFalse();

            assertThat(superuserLong(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'stackctl-restore-%'"))
                    .as("no restore session left")
                    .isZero();
            reader.rollback();
        }
        assertThat(fingerprint()).isEqualTo(before);
    }

    @Test
    void aRestoreThatCommittedIsKnownByItsSessionFromTheDatabaseItself() throws Exception {
        backups.backup();
        changeEverything();
        var backup = store.resolve("latest", "it");
        String session = PostgresContainer.newSession();

        backups.restore(backup, backups.check(backup), session);

        assertThat(postgres().committed("taskmanager", session)).isTrue();
        assertThat(postgres().committed("taskmanager", PostgresContainer.newSession()))
                .as("another restore's session is not this one")
                .isFalse();
        // A dump of the restored database carries the label; restoring it labels the schema with the new session.
        var again = store.resolve(backups.backup().file().toString(), "it");
        String next = PostgresContainer.newSession();
        backups.restore(again, backups.check(again), next);
        assertThat(postgres().committed("taskmanager", next)).isTrue();
        assertThat(postgres().committed("taskmanager", session)).isFalse();
    }

    private PostgresContainer postgres() {
        return new PostgresContainer(engine, db.getContainerId(), "taskmanager", "stackctl_ops", "taskmanager_app");
    }

    @Test
    void aCorruptByteInTheMiddleIsRefusedAndTheDataStaysUnchanged() throws Exception {
        var created = backups.backup();
        changeEverything();
        String changed = fingerprint();
        flipByte(created.file(), 0.5);

        assertRefused(() -> restore(created.file()), "checksum mismatch");
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        var created = backups.backup();
        changeEverything();
        String changed = fingerprint();
        byte[] bytes = Files.readAllBytes(created.file());
        Files.write(created.file(), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertRefused(() -> restore(created.file()), "truncated");
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void aManifestWithAnotherChecksumIsRefused() throws Exception {
        var created = backups.backup();
        var m = created.manifest();
        store.writeManifest(created.file(), copy(m, "0".repeat(64), m.sizeBytes(), m.rowCounts()));
        changeEverything();
        String changed = fingerprint();

        assertRefused(() -> restore(created.file()), "checksum mismatch");
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void aDumpWithoutManifestIsRefused() throws Exception {
        var created = backups.backup();
        Files.delete(BackupStore.manifestPath(created.file()));
        changeEverything();
        String changed = fingerprint();

        assertRefused(() -> restore(created.file()), "no manifest");
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void aMissingFileIsRefused() {
        assertRefused(() -> store.resolve(dir.resolve("nope.dump").toString(), "it"), "does not exist");
        assertRefused(() -> store.resolve("latest", "it"), "no backup");
    }

    @Test
    void aRestoreThatFailsHalfWayLeavesTheDatabaseExactlyAsItWas() throws Exception {
        var created = backups.backup();
        // Damage the compressed table data, then make the manifest agree, so only pg_restore can notice.
        flipByte(created.file(), 0.8);
        var m = created.manifest();
        store.writeManifest(
                created.file(), copy(m, Sha256.of(created.file()), Files.size(created.file()), m.rowCounts()));
        changeEverything();
        String changed = fingerprint();

        assertRefused(() -> restore(created.file()), "rolled back");
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void rowCountsThatDisagreeWithTheManifestRollTheRestoreBack() throws Exception {
        var created = backups.backup();
        Map<String, Long> wrong = new LinkedHashMap<>(created.manifest().rowCounts());
        wrong.put("public.tasks", 1999L);
        var m = created.manifest();
        store.writeManifest(created.file(), copy(m, m.sha256(), m.sizeBytes(), wrong));
        changeEverything();
        String changed = fingerprint();

        assertRefused(() -> restore(created.file()), "row count check failed");
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void emptyTablesBackUpAndRestoreAsEmpty() throws Exception {
        sql("TRUNCATE tasks, \"Odd Table\"");
        var created = backups.backup();
        assertThat(created.manifest().totalRows()).isZero();
        sql("INSERT INTO tasks (title, status) VALUES ('later', 'pending')");

        restore(created.file());

        assertThat(queryLong("SELECT count(*) FROM tasks")).isZero();
    }

    @Test
    void aDatabaseWithNoTablesIsNotCalledABackupAndLeavesNoFile() throws Exception {
        sql("DROP TABLE tasks, \"Odd Table\"");

        assertRefused(() -> backups.backup(), "no tables");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void verifyRestoresIntoAScratchDatabaseRecordsTheResultAndDropsIt() throws Exception {
        var created = backups.backup();
        changeEverything();
        String changed = fingerprint();

        var verified = backups.verify(store.resolve("latest", "it"));

        assertThat(verified.verified()).isTrue();
        assertThat(verified.verification().rowCounts())
                .isEqualTo(created.manifest().rowCounts());
        assertThat(BackupStore.readManifest(created.file()).orElseThrow().verified())
                .isTrue();
        assertThat(queryLong("SELECT count(*) FROM pg_database WHERE datname LIKE 'stackctl_verify_%'"))
                .isZero();
        assertThat(fingerprint()).isEqualTo(changed);
    }

    @Test
    void verifyOfADamagedDumpRecordsTheFailure() throws Exception {
        var created = backups.backup();
        flipByte(created.file(), 0.5);

        assertRefused(() -> backups.verify(store.resolve("latest", "it")), "checksum mismatch");

        var recorded = BackupStore.readManifest(created.file()).orElseThrow().verification();
        assertThat(recorded.ok()).isFalse();
        assertThat(recorded.error()).contains("checksum mismatch");
    }

    private void restore(Path file) {
        var backup = store.resolve(file.toString(), "it");
        backups.restore(backup, backups.check(backup));
    }

    private static void assertRefused(ThrowingCallable call, String reason) {
        assertThatThrownBy(call)
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining(reason)
                .extracting(e -> ((StackctlException) e).exitCode())
                .isEqualTo(ExitCodes.CHECK_FAILED);
    }

    private static Manifest copy(Manifest m, String sha256, long size, Map<String, Long> counts) {
        return new Manifest(
                m.format(),
                m.file(),
                m.project(),
                m.database(),
                m.createdAt(),
                sha256,
                size,
                m.postgresVersion(),
                counts,
                m.durationMs(),
                m.stackctlVersion(),
                m.verification(),
                m.schemaVersion());
    }

    private static void flipByte(Path file, double where) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int at = (int) (bytes.length * where);
        bytes[at] ^= (byte) 0xff;
        Files.write(file, bytes);
    }

    /** The schema as the app's Flyway leaves it at {@code version}: V2 adds a table with a key into tasks. */
    private static void migrateTo(int version) throws SQLException {
        sql("CREATE TABLE IF NOT EXISTS flyway_schema_history (installed_rank int PRIMARY KEY, version text,"
                + " success boolean NOT NULL)");
        sql("DELETE FROM flyway_schema_history");
        sql("DROP TABLE IF EXISTS idempotency_keys");
        sql("INSERT INTO flyway_schema_history VALUES (1, '1', true)");
        if (version >= 2) {
            sql("CREATE TABLE idempotency_keys (key text PRIMARY KEY, task_id bigint NOT NULL REFERENCES tasks(id)"
                    + " ON DELETE CASCADE)");
            sql("INSERT INTO idempotency_keys SELECT 'k' || id, id FROM tasks WHERE id <= 10");
            sql("INSERT INTO flyway_schema_history VALUES (2, '2', true)");
        }
    }

    private static void changeEverything() throws SQLException {
        sql("UPDATE tasks SET title = 'changed' WHERE id % 7 = 0");
        sql("DELETE FROM tasks WHERE id % 11 = 0");
        sql("INSERT INTO tasks (title, status) VALUES ('new 1', 'pending'), ('new 2', 'done')");
        sql("DELETE FROM \"Odd Table\"");
    }

    /** Every row's text plus the sequence position: equal fingerprints mean equal data. */
    private static String fingerprint() throws SQLException {
        List<String> parts = List.of(
                "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '-') FROM tasks t",
                "SELECT count(*)::text FROM tasks",
                "SELECT coalesce(string_agg(coalesce(note, 'NULL'), '|' ORDER BY note), '-') FROM \"Odd Table\"",
                "SELECT last_value::text FROM tasks_id_seq");
        var result = new StringBuilder();
        try (Connection c = connect()) {
            for (String query : parts) {
                try (var rs = c.createStatement().executeQuery(query)) {
                    rs.next();
                    result.append(rs.getString(1)).append(';');
                }
            }
        }
        return result.toString();
    }

    private static long queryLong(String query) throws SQLException {
        try (Connection c = connect();
                var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Sessions of other roles show their names to the superuser only. */
    private static long superuserLong(String query) throws SQLException {
        try (Connection c = superuser();
                var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = connect()) {
            c.createStatement().execute(statement);
        }
    }

    /** As the app: the data a restore replaces is the app role's, as in the stack. */
    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(db.getJdbcUrl(), "taskmanager_app", APP_PASSWORD);
    }

    /** For what only the superuser sees, such as other roles' sessions. */
    private static Connection superuser() throws SQLException {
        return DriverManager.getConnection(db.getJdbcUrl(), db.getUsername(), db.getPassword());
    }
}
