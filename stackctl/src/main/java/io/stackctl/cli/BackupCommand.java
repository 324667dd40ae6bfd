package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.stack.Stack;
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
            var created = options.backups(this, stack).backup();
            var manifest = created.manifest();
            if (global.json()) {
                output().json(BackupOptions.document(created.file(), manifest));
            } else {
                output().line("backup %s: %s, %d rows in %d tables, %.1fs, sha256 %s"
                        .formatted(
                                created.file(),
                                Output.size(manifest.sizeBytes()),
                                manifest.totalRows(),
                                manifest.rowCounts().size(),
                                manifest.durationMs() / 1000.0,
                                manifest.sha256().substring(0, 16)));
            }
        }
        return ExitCodes.OK;
    }

    /** {@code -o json} of backup and verify: the dump's path and its manifest. */
}
