package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import io.stackctl.postgres.PostgresContainer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

/** Backup, restore and verify of one project's database; the rules that make a dump trustworthy live here. */
public final class Backups {

    /** Every custom-format archive starts with these bytes. */
    static final byte[] ARCHIVE_MAGIC = {'P', 'G', 'D', 'M', 'P'};

    private final PostgresContainer postgres;
    private final BackupStore store;
    private final String project;
    private final String stackctlVersion;
    private final PrintWriter progress;
    private final Clock clock;
    private final Duration timeout;

    public Backups(
            PostgresContainer postgres,
            BackupStore store,
            String project,
            String stackctlVersion,
            PrintWriter progress,
            Clock clock,
            Duration timeout) {
        this.postgres = postgres;
        this.store = store;
        this.project = project;
        this.stackctlVersion = stackctlVersion;
        this.progress = progress;
        this.clock = clock;
        this.timeout = timeout;
    }

    public record Created(Path file, Manifest manifest) {}

    /** Dumps to a temporary name, checks the archive, writes the manifest, then renames the dump into place. */
    public Created backup() {
        store.ensureDir();
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        Path dump = store.newDumpPath(project, started);
        Path partial = store.partialPathFor(dump);
        boolean committed = false;
        try {
            progress("dumping database %s to %s", postgres.database(), dump.getFileName());
            var digest = Sha256.newDigest();
            PostgresContainer.DumpResult result;
            try (OutputStream out =
                    new DigestOutputStream(new BufferedOutputStream(createPrivateStream(partial), 1 << 16), digest)) {
                result = postgres.dump(out, timeout);
            }
            long size = Files.size(partial);
            checkArchive(partial, size, result.rowCounts());
            var manifest = new Manifest(
                    Manifest.FORMAT,
                    dump.getFileName().toString(),
                    project,
                    postgres.database(),
                    started,
                    Sha256.hex(digest),
                    size,
                    result.serverVersion(),
                    result.rowCounts(),
                    (System.nanoTime() - startNanos) / 1_000_000,
                    stackctlVersion,
                    null,
                    result.schemaVersion());
            // The manifest first: a dump under its final name always has one.
            store.writeManifest(dump, manifest);
            BackupStore.commit(partial, dump);
            committed = true;
            return new Created(dump, manifest);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the dump " + partial + ": " + e.getMessage(),
                    "check free space and permissions of " + store.dir());
        } finally {
            if (!committed) {
                BackupStore.deleteQuietly(partial);
                if (!Files.exists(dump)) {
                    BackupStore.deleteQuietly(BackupStore.manifestPath(dump));
                }
            }
        }
    }

    /** A dump is only called a backup when it is an archive whose table of contents holds every table's data. */
    private void checkArchive(Path partial, long size, Map<String, Long> rowCounts) throws IOException {
        if (size < ARCHIVE_MAGIC.length || !startsWithMagic(partial)) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "pg_dump produced " + size + " bytes that are not a custom-format archive; no backup was kept",
                    "run again with -v and check the database with: bin/stackctl logs db");
        }
        if (rowCounts.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "database " + postgres.database() + " has no tables: refusing to call an empty dump a backup",
                    "is the stack migrated? bin/stackctl health shows the app's readiness");
        }
        String staged = postgres.stage(partial);
        try {
            var missing = PostgresContainer.tablesMissingData(postgres.tableOfContents(staged), rowCounts);
            if (!missing.isEmpty()) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "the archive lacks the data of " + String.join(", ", missing) + "; no backup was kept",
                        "run again with -v and check the database with: bin/stackctl logs db");
            }
        } finally {
            postgres.unstage(staged);
        }
    }

    private static java.io.OutputStream createPrivateStream(Path partial) throws IOException {
        BackupStore.createPrivate(partial);
        return Files.newOutputStream(partial, StandardOpenOption.WRITE);
    }

    private static boolean startsWithMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(ARCHIVE_MAGIC.length), ARCHIVE_MAGIC);
        }
    }

    /**
     * Everything that can be checked without touching the database: a manifest that describes this very file,
     * and bytes that still hash to it. Exit 1 otherwise.
     */
    /**
     * A dump restores only into the project it was taken from: every project's database has the same name, so only
     * the manifest's project tells a staging dump from production's. {@code fromProject} is the operator saying
     * which project they mean to bring over ({@code --from-project}); it must name the dump's.
     */
    public void requireOwnProject(BackupStore.StoredBackup backup, Manifest manifest, String fromProject) {
        requireOwnProject(backup.name(), manifest.project(), project, fromProject);
    }

    static void requireOwnProject(String name, String source, String project, String fromProject) {
        if (fromProject != null && !fromProject.equals(source)) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--from-project " + fromProject + " does not match " + name + ", a backup of "
                            + (source == null ? "an unknown project" : "project '" + source + "'"),
                    "name the project the dump came from, or leave --from-project out for this project's own");
        }
        if (source != null && (source.equals(project) || source.equals(fromProject))) {
            return;
        }
        String from = source == null ? "an unknown project (its manifest names none)" : "project '" + source + "'";
        throw new StackctlException(
                ExitCodes.CHECK_FAILED,
                name + " is a backup of " + from + ", not of '" + project + "'; the database was not touched",
                source == null
                        ? "restore a backup of this project (bin/stackctl backups list)"
                        : "to bring " + source + "'s data into '" + project + "' on purpose, add --from-project "
                                + source);
    }

    public Manifest check(BackupStore.StoredBackup backup) {
        Path dump = backup.dump();
        var manifest = backup.manifest()
                .orElseThrow(
                        () -> new StackctlException(
                                ExitCodes.CHECK_FAILED,
                                "no manifest beside " + dump + " ("
                                        + BackupStore.manifestPath(dump).getFileName()
                                        + "), so its contents cannot be checked",
                                "use a backup taken by stackctl, or restore this file by hand with pg_restore (backup/README.md)"));
        if (!dump.getFileName().toString().equals(manifest.file())) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "the manifest beside " + dump.getFileName() + " describes " + manifest.file(),
                    "the files were renamed or mixed up; put each manifest beside its own dump");
        }
        if (!manifest.database().equals(postgres.database())) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    dump.getFileName() + " is a backup of database " + manifest.database() + ", not "
                            + postgres.database(),
                    "restore it into the stack it came from (-p PROJECT)");
        }
        try {
            long size = Files.size(dump);
            if (size != manifest.sizeBytes()) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        dump.getFileName() + " is " + size + " bytes but its manifest says " + manifest.sizeBytes()
                                + ": the file is truncated or was replaced",
                        "use another backup (bin/stackctl backups list)");
            }
            String actual = Sha256.of(dump);
            if (!actual.equals(manifest.sha256())) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "checksum mismatch for " + dump.getFileName() + ": sha256 " + actual + ", manifest "
                                + manifest.sha256() + "; the file is damaged",
                        "use another backup (bin/stackctl backups list)");
            }
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "cannot read " + dump + ": " + e.getMessage(),
                    "check the file's permissions");
        }
        return manifest;
    }

    public record Restored(Path file, Map<String, Long> rowCounts, long restoreMs, Fit fit) {}

    /** How a dump's schema relates to the live database's, which is what the running app migrated it to. */
    public record Fit(SchemaFit fit, String dumpVersion, String liveVersion) {
        public String describe() {
            return switch (fit) {
                case same -> "schema " + SchemaFit.label(dumpVersion) + ", as the running app";
                case older ->
                    "schema " + SchemaFit.label(dumpVersion) + ", older than the running app's "
                            + SchemaFit.label(liveVersion) + ": the app migrates it after the restore";
                case newer ->
                    "schema " + SchemaFit.label(dumpVersion) + ", newer than the running app's "
                            + SchemaFit.label(liveVersion);
                case unknown -> "schema version not recorded (a manifest from an older stackctl)";
            };
        }
    }

    public String liveSchemaVersion() {
        return postgres.schemaVersion(postgres.database());
    }

    public Fit schemaFit(Manifest manifest) {
        String live = liveSchemaVersion();
        return new Fit(SchemaFit.of(manifest.schemaVersion(), live), manifest.schemaVersion(), live);
    }

    /** Exit 1 when the running app could not serve the dump's schema (it is newer than the app's). */
    public Fit requireServable(BackupStore.StoredBackup backup, Manifest manifest) {
        Fit fit = schemaFit(manifest);
        if (fit.fit() == SchemaFit.newer) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    backup.name() + " holds " + fit.describe() + ": the running app could not serve it, so it was not"
                            + " restored (the database is unchanged)",
                    "deploy the app release that brought " + SchemaFit.label(fit.dumpVersion())
                            + " first (bin/stackctl releases), or restore an older backup");
        }
        return fit;
    }

    /**
     * Replaces the live database's contents in one transaction that also checks the counts; refuses a dump the
     * running app could not serve. An older dump is restored as it is: the caller lets the app migrate it.
     */
    public Restored restore(BackupStore.StoredBackup backup, Manifest manifest) {
        return restore(backup, manifest, PostgresContainer.newSession());
    }

    /** As {@link #restore(BackupStore.StoredBackup, Manifest)}, under a session the caller journaled. */
    public Restored restore(BackupStore.StoredBackup backup, Manifest manifest, String session) {
        Fit fit = requireServable(backup, manifest);
        String staged = postgres.stage(backup.dump());
        try {
            progress("restoring %s into database %s (one transaction)", backup.name(), postgres.database());
            long start = System.nanoTime();
            postgres.restore(staged, postgres.database(), manifest.rowCounts(), timeout, session);
            return new Restored(backup.dump(), manifest.rowCounts(), (System.nanoTime() - start) / 1_000_000, fit);
        } finally {
            postgres.unstage(staged);
        }
    }

    /** Restores into a scratch database, compares counts, drops it, and records the outcome in the manifest. */
    public Manifest verify(BackupStore.StoredBackup backup) {
        Manifest manifest;
        try {
            manifest = check(backup);
        } catch (StackctlException e) {
            backup.manifest().ifPresent(m -> record(backup, m, failed(e.getMessage())));
            throw e;
        }
        String scratch = "stackctl_verify_" + UUID.randomUUID().toString().substring(0, 8);
        String staged = postgres.stage(backup.dump());
        try {
            progress("restoring %s into scratch database %s", backup.name(), scratch);
            postgres.createDatabase(scratch);
            long start = System.nanoTime();
            postgres.restore(staged, scratch, manifest.rowCounts(), timeout);
            long restoreMs = (System.nanoTime() - start) / 1_000_000;
            var counts = postgres.rowCounts(scratch);
            var verified = manifest.withVerification(
                    new Manifest.Verification(clock.instant(), true, restoreMs, counts, null));
            store.writeManifest(backup.dump(), verified);
            return verified;
        } catch (StackctlException e) {
            record(backup, manifest, failed(e.getMessage()));
            throw e;
        } finally {
            postgres.dropDatabase(scratch);
            postgres.unstage(staged);
        }
    }

    private Manifest.Verification failed(String error) {
        return new Manifest.Verification(clock.instant(), false, 0, Map.of(), error);
    }

    private void record(BackupStore.StoredBackup backup, Manifest manifest, Manifest.Verification result) {
        store.writeManifest(backup.dump(), manifest.withVerification(result));
    }

    private void progress(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
