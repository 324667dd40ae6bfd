package io.stackctl.cli;

import io.stackctl.backup.PgBackRest;
import io.stackctl.core.ByteSize;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "backup",
        description = {
            "Back up the database: a physical backup into pgBackRest's repository (--type), or a logical dump"
                    + " (pg_dump -Fc inside the db container) to the backup folder, with a manifest (--logical, the"
                    + " default)."
        })
final class BackupCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Mixin
    BackupOptions options;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            description = "A physical backup into the repository: full, diff (what changed since the last full one)"
                    + " or incr (since the last backup of any type). Restores to any point after it, with the"
                    + " archived WAL.")
    String type;

    @Option(
            names = "--logical",
            description = "A pg_dump to the backup folder (portable: another PostgreSQL version, another host).")
    boolean logical;

    @Override
    public Integer call() {
        PgBackRest.Type physical = physicalType();
        try (Stack stack = openStack()) {
            if (physical != null) {
                // The db container alone: inspecting every container of the stack first cost each backup 0.2 s.
                return physical(stack, physical);
            }
            stack.requireRunning();
            var created = options.backups(this, stack).backup();
            var manifest = created.manifest();
            if (global.json()) {
                output().json(BackupOptions.document(created.file(), manifest));
            } else {
                output().line("backup %s: %s, %d rows in %d tables, %.1fs, sha256 %s"
                        .formatted(
                                created.file(),
                                ByteSize.human(manifest.sizeBytes()),
                                manifest.totalRows(),
                                manifest.rowCounts().size(),
                                manifest.durationMs() / 1000.0,
                                manifest.sha256().substring(0, 16)));
            }
        }
        return ExitCodes.OK;
    }

    private PgBackRest.Type physicalType() {
        if (type == null) {
            return null;
        }
        if (logical) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--logical and --type name two kinds of backup",
                    "take one: --type full|diff|incr (physical, into the repository) or --logical (a pg_dump)");
        }
        try {
            return PgBackRest.Type.valueOf(type.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--type must be full, diff or incr, got '" + type + "'",
                    "full copies everything; diff what changed since the last full; incr since the last backup");
        }
    }

    private int physical(Stack stack, PgBackRest.Type physical) {
        var db = stack.requirePrimaryDb();
        var pgbackrest = new PgBackRest(stack.engine(), db.id());
        progress(
                "taking a backup (--type %s) into each of pgBackRest's repositories (the local one: %s in the db"
                        + " container)",
                physical.option(), PgBackRest.REPOSITORY);
        var taken = pgbackrest.backup(physical, options.timeout);
        taken.forEach(copy -> copy.warnings().forEach(w -> err().println("warning: pgbackrest: " + w)));
        if (global.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("repository", PgBackRest.REPOSITORY);
            doc.put("backup", taken.get(0).backup());
            doc.put("copies", taken.stream().map(PgBackRest.Taken::backup).toList());
            doc.put(
                    "warnings",
                    taken.stream().flatMap(copy -> copy.warnings().stream()).toList());
            output().json(doc);
        } else {
            for (var copy : taken) {
                var backup = copy.backup();
                output().line("backup %s (%s%s) in repo%d (%s): %s of data, %s stored, %.1fs, WAL %s to %s"
                        .formatted(
                                backup.label(),
                                backup.type(),
                                backup.reference().isEmpty() ? "" : ", on " + backup.reference(),
                                backup.repository(),
                                backup.repository() == 1 ? "local" : "off-host",
                                ByteSize.human(backup.size()),
                                ByteSize.human(backup.storedSize()),
                                backup.seconds(),
                                backup.walStart(),
                                backup.walStop()));
            }
        }
        return ExitCodes.OK;
    }
}
