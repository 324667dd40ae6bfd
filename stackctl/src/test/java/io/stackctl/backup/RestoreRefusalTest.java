package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import io.stackctl.fakes.FakeStacks;
import io.stackctl.fakes.RecordingEngine;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore refuses a damaged dump or one the running app cannot serve before it stages or runs anything. */
class RestoreRefusalTest {

    @TempDir
    Path root;

    private RecordingEngine engine;
    private BackupStore store;
    private Backups backups;

    @BeforeEach
    void stack() throws Exception {
        engine = new RecordingEngine("shop");
        engine.add("db", 1);
        engine.psql.put("flyway_schema_history", "3");
        var stack = FakeStacks.open(root, engine);
        store = new BackupStore(Files.createDirectories(root.resolve("dumps")));
        backups = new Backups(
                PostgresContainer.of(stack),
                store,
                "shop",
                "test",
                new PrintWriter(new StringWriter()),
                Clock.systemUTC(),
                Duration.ofMinutes(1));
    }

    private BackupStore.StoredBackup dump(String schemaVersion, boolean damaged) throws Exception {
        Path dump = root.resolve("dumps/shop-20261202T100000Z.dump");
        Files.writeString(dump, "PGDMP the archive");
        var manifest = new Manifest(
                Manifest.FORMAT,
                dump.getFileName().toString(),
                "shop",
                Stack.DATABASE,
                Instant.parse("2026-12-02T10:00:00Z"),
                Sha256.of(dump),
                Files.size(dump),
                "15.10",
                Map.of("public.tasks", 2L),
                100,
                "test",
                null,
                schemaVersion);
        store.writeManifest(dump, manifest);
        if (damaged) {
            Files.writeString(dump, "PGDMP the archyve");
        }
        return store.resolve(dump.toString(), "shop");
    }

    @Test
    void aDumpOfANewerSchemaThanTheRunningAppIsRefusedBeforeItIsStaged() throws Exception {
        var backup = dump("4", false);

        assertThatThrownBy(() -> backups.restore(backup, backups.check(backup)))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED))
                .hasMessageContaining("newer than the running app's")
                .hasMessageContaining("the database is unchanged");
        assertThat(engine.log)
                .as("only the live schema version was asked; nothing was copied into the db container or restored")
                .singleElement()
                .asString()
                .contains("flyway_schema_history");
    }

    @Test
    void aDamagedDumpIsRefusedWithoutAskingTheDatabaseAnything() throws Exception {
        var backup = dump("3", true);

        assertThatThrownBy(() -> backups.check(backup))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED))
                .hasMessageContaining("checksum mismatch");
        assertThat(engine.log).isEmpty();
    }
}
