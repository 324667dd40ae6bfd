package io.stackctl.cli;

import io.stackctl.backup.InterruptedRestore;
import io.stackctl.backup.LiveRestore;
import io.stackctl.backup.PointInTimeRestore;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "restore",
        description = {
            "Replace the database's contents with a backup: checksum, manifest and schema version first (a dump newer"
                    + " than the running app is refused); then nginx answers 503 maintenance with Retry-After while one"
                    + " transaction restores and checks the row counts (a failure, --timeout or Ctrl-C leaves the"
                    + " database as it was), the cache is cleared, an older schema is migrated by the app, and traffic"
                    + " flows again.",
            "Writes made after the backup was taken are lost."
        })
final class RestoreCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "FILE|latest",
            description = "A dump file, or latest (the newest dump).")
    String file;

    @Option(
            names = "--to-time",
            paramLabel = "TIME",
            description = "From pgBackRest's repository: the database as it was at this instant (ISO-8601, e.g."
                    + " 2026-12-01T14:02:16Z): the newest backup before it, then the archived WAL up to it.")
    String toTime;

    @Option(
            names = "--to-backup",
            paramLabel = "LABEL",
            description = "From the repository: the database as this physical backup left it (bin/stackctl backups"
                    + " status lists them).")
    String toBackup;

    @Option(
            names = "--latest",
            description = "From the repository: every archived write (after a lost database volume).")
    boolean latest;

    @Option(
            names = "--no-rehearsal",
            description = "With --to-time, --to-backup or --latest: skip the same restore into a scratch container"
                    + " first, which proves the repositories reach the target before the live database stops (for a"
                    + " database too large to restore twice).")
    boolean noRehearsal;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Option(
            names = "--from-project",
            paramLabel = "NAME",
            description = "Restore a backup taken from another project (a dump restores only into its own otherwise).")
    String fromProject;

    @Mixin
    BackupOptions options;

    @Override
    public Integer call() {
        var target = physicalTarget();
        if (target != null) {
            return physical(target);
        }
        if (file == null) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "restore needs what to restore: a dump (FILE or latest), or --to-time, --to-backup or --latest",
                    "bin/stackctl backups list shows the dumps, bin/stackctl backups status the physical backups");
        }
        try (Stack stack = openStack()) {
            PointInTimeRestore.resumeInterrupted(stack, err(), options.timeout);
            var selected = options.select(this, stack, file);
            new InterruptedRestore(stack, err()).finish();
            var backups = selected.backups();
            var backup = selected.backup();
            var manifest = backups.check(backup);
            backups.requireOwnProject(backup, manifest, fromProject);
            var fit = backups.requireServable(backup, manifest);
            progress(
                    "%s: checksum ok, taken %s, %d rows in %d tables, %s",
                    backup.name(),
                    manifest.createdAt(),
                    manifest.totalRows(),
                    manifest.rowCounts().size(),
                    fit.describe());
            if (!yes && !confirmed(stack.project())) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "restore not confirmed; the database was not touched",
                        "answer yes, or pass --yes to skip the question");
            }
            var outcome = new LiveRestore(stack, backups, err()).run(backup, manifest, fit);
            var restored = outcome.restored();
            var cleared = outcome.cacheCleared();
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("file", restored.file().toString());
                doc.put("row_counts", restored.rowCounts());
                doc.put("restore_ms", restored.restoreMs());
                doc.put("cache_cleared", cleared);
                doc.put("schema", fit.describe());
                doc.put("migrated", outcome.migrated());
                output().json(doc);
            } else {
                output().line("restored %s in %.1fs: row counts match the manifest (%d rows)"
                        .formatted(backup.name(), restored.restoreMs() / 1000.0, manifest.totalRows()));
            }
            if (!cleared) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "the database was restored but no replica cleared the cache; stale entries may be served for"
                                + " up to CACHE_TTL_SECONDS",
                        "clear it when the stack is healthy: curl -X POST -H \"Authorization: Bearer $OPS_TOKEN\" "
                                + stack.settings().baseUrl() + "/cache/clear (OPS_TOKEN is in compose/.env)");
            }
        }
        return ExitCodes.OK;
    }

    /** The physical target the options name, or null for a dump; exit 2 when they name more than one thing. */
    private PointInTimeRestore.Target physicalTarget() {
        int named = (file != null ? 1 : 0) + (toTime != null ? 1 : 0) + (toBackup != null ? 1 : 0) + (latest ? 1 : 0);
        if (named > 1) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "restore takes one of FILE|latest, --to-time, --to-backup and --latest",
                    "a dump is restored by name; --to-time, --to-backup and --latest restore from the repository");
        }
        if (toTime != null) {
            try {
                return PointInTimeRestore.Target.time(
                        java.time.OffsetDateTime.parse(toTime.strip()).toInstant());
            } catch (java.time.format.DateTimeParseException e) {
                throw new StackctlException(
                        ExitCodes.USAGE,
                        "--to-time must be an ISO-8601 instant with its offset, got '" + toTime + "'",
                        "for example --to-time 2026-12-01T14:02:16Z or --to-time 2026-12-01T15:02:16.5+01:00");
            }
        }
        if (toBackup != null) {
            return new PointInTimeRestore.Target(PointInTimeRestore.Kind.BACKUP, toBackup.strip());
        }
        return latest ? new PointInTimeRestore.Target(PointInTimeRestore.Kind.LATEST, "") : null;
    }

    private int physical(PointInTimeRestore.Target target) {
        try (Stack stack = openStack()) {
            stack.requireRunning();
            new InterruptedRestore(stack, err()).finish();
            PointInTimeRestore.resumeInterrupted(stack, err(), options.timeout);
            var restore = new PointInTimeRestore(stack, err(), options.timeout);
            restore.check(target, !noRehearsal);
            if (!yes
                    && !confirm("Stop the database of stack '%s' and bring it back to %s? Writes after it are lost."
                                    .formatted(stack.project(), target.describe())
                            + " Type yes to go on: ")) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "restore not confirmed; the database was not touched",
                        "answer yes, or pass --yes to skip the question");
            }
            var outcome = restore.run(target);
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("target", target.describe());
                doc.put("timeline", outcome.timeline());
                doc.put("base_backup", outcome.base());
                doc.put("out_of_service_seconds", outcome.outOfServiceSeconds());
                output().json(doc);
            } else {
                output().line(("restored to %s: the database runs on timeline %s, already archived, with a new full"
                                + " backup %s; the API was out of service %.1fs")
                        .formatted(
                                target.describe(),
                                outcome.timeline(),
                                outcome.base().label(),
                                outcome.outOfServiceSeconds()));
            }
        }
        return ExitCodes.OK;
    }

    private boolean confirmed(String project) {
        return confirm("Replace every row of database %s in stack '%s' with this backup? Type yes to go on: "
                .formatted(Stack.DATABASE, project));
    }
}
