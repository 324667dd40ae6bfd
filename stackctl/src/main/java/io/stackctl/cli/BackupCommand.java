package io.stackctl.cli;

import io.stackctl.backup.BackupStore;
import io.stackctl.backup.Backups;
import io.stackctl.backup.Manifest;
import io.stackctl.backup.PostgresContainer;
import io.stackctl.core.ExitCodes;
import io.stackctl.stack.Stack;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "backup",
        description = "Dump the database (pg_dump -Fc inside the db container) to the backup folder, with a manifest.")
final class BackupCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Mixin
    BackupOptions options;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            stack.requireRunning();
            var created = backups(stack, options, this).backup();
            var manifest = created.manifest();
            if (global.json()) {
                output().json(document(created.file(), manifest));
            } else {
                output().line("backup %s: %s, %d rows in %d tables, %.1fs, sha256 %s"
                        .formatted(
                                created.file(),
                                BackupsCommand.size(manifest.sizeBytes()),
                                manifest.totalRows(),
                                manifest.rowCounts().size(),
                                manifest.durationMs() / 1000.0,
                                manifest.sha256().substring(0, 16)));
            }
        }
        return ExitCodes.OK;
    }

    /** {@code -o json} of backup and verify: the dump's path and its manifest. */
    static Map<String, Object> document(Path file, Manifest manifest) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", file.toString());
        doc.put("manifest", manifest);
        return doc;
    }

    /** A running stack's backup service and the backup {@code fileOrLatest} names; exit 3 or 1 otherwise. */
    static Selected select(StackCommand command, Stack stack, BackupOptions options, String fileOrLatest) {
        stack.requireRunning();
        var backups = backups(stack, options, command);
        var backup = options.store(command.files(), command.environment()).resolve(fileOrLatest, stack.project());
        return new Selected(backups, backup);
    }

    record Selected(Backups backups, BackupStore.StoredBackup backup) {}

    /** The backup service for the stack's running db container; exit 3 when it is not running. */
    static Backups backups(Stack stack, BackupOptions options, StackCommand command) {
        return new Backups(
                PostgresContainer.of(stack),
                options.store(command.files(), command.environment()),
                stack.project(),
                StackctlCommandLine.version(),
                command.err(),
                Clock.systemUTC(),
                options.timeout);
    }
}
