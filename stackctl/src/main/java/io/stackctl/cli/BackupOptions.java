package io.stackctl.cli;

import io.stackctl.backup.BackupStore;
import io.stackctl.stack.StackFiles;
import java.nio.file.Path;
import java.time.Duration;
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
}
