package io.stackctl.cli;

import io.stackctl.backup.BackupStore;
import io.stackctl.backup.Backups;
import io.stackctl.backup.Manifest;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where backups live and how long one step may take; shared by backup, restore and backups. */
final class BackupOptions {

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Backup folder (default: $STACKCTL_BACKUP_DIR, else backup/dumps in the checkout).")
    Path dir;

    @Option(
            names = "--timeout",
            paramLabel = "D",
            defaultValue = "PT1H",
            converter = DurationConverter.class,
            description = "Longest a dump or a restore may run (default: 1h).")
    Duration timeout;

    BackupStore store(StackFiles files, Map<String, String> environment) {
        if (dir != null) {
            return new BackupStore(dir.toAbsolutePath());
        }
        String fromEnv = environment.get("STACKCTL_BACKUP_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new BackupStore(Path.of(fromEnv).toAbsolutePath());
        }
        return new BackupStore(files.root().resolve("backup/dumps"));
    }

    /** What {@code -o json} prints for one backup. */
    static Map<String, Object> document(Path file, Manifest manifest) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", file.toString());
        doc.put("manifest", manifest);
        return doc;
    }

    /** A running stack's backup service and the backup {@code fileOrLatest} names; exit 3 or 1 otherwise. */
    Selected select(StackCommand command, Stack stack, String fileOrLatest) {
        stack.requireRunning();
        var backups = backups(command, stack);
        var backup = store(command.files(), command.environment()).resolve(fileOrLatest, stack.project());
        return new Selected(backups, backup);
    }

    record Selected(Backups backups, BackupStore.StoredBackup backup) {}

    /** The backup service for the stack's running db container; exit 3 when it is not running. */
    Backups backups(StackCommand command, Stack stack) {
        return new Backups(
                PostgresContainer.of(stack),
                store(command.files(), command.environment()),
                stack.project(),
                StackctlCommandLine.version(),
                command.err(),
                Clock.systemUTC(),
                timeout);
    }
}
