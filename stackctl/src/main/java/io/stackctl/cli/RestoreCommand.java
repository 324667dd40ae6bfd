package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "restore",
        description = {
            "Replace the database's contents with a backup: checksum and manifest first, then one transaction that"
                    + " also checks the row counts (a failure leaves the database as it was), then the cache is"
                    + " cleared.",
            "Writes made after the backup was taken are lost."
        })
final class RestoreCommand extends StackCommand {

    @Parameters(index = "0", paramLabel = "FILE|latest", description = "A dump file, or latest.")
    String file;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Mixin
    BackupOptions options;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            var selected = BackupCommand.select(this, stack, options, file);
            var backups = selected.backups();
            var backup = selected.backup();
            var manifest = backups.check(backup);
            progress(
                    "%s: checksum ok, taken %s, %d rows in %d tables",
                    backup.name(),
                    manifest.createdAt(),
                    manifest.totalRows(),
                    manifest.rowCounts().size());
            if (!yes && !confirmed(stack.project())) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "restore not confirmed; the database was not touched",
                        "answer yes, or pass --yes to skip the question");
            }
            var restored = backups.restore(backup, manifest);
            var cleared = stack.postThroughNginx("/cache/clear");
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("file", restored.file().toString());
                doc.put("row_counts", restored.rowCounts());
                doc.put("restore_ms", restored.restoreMs());
                doc.put("cache_cleared", cleared.ok());
                output().json(doc);
            } else {
                output().line("restored %s in %.1fs: row counts match the manifest (%d rows)"
                        .formatted(backup.name(), restored.restoreMs() / 1000.0, manifest.totalRows()));
            }
            if (!cleared.ok()) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "the database was restored but the cache could not be cleared (" + cleared.summary()
                                + "); stale entries may be served for up to CACHE_TTL_SECONDS",
                        "clear it when the stack is healthy: curl -X POST "
                                + stack.settings().baseUrl() + "/cache/clear");
            }
        }
        return ExitCodes.OK;
    }

    private boolean confirmed(String project) {
        err().printf(
                        "Replace every row of database %s in stack '%s' with this backup? Type yes to go on: ",
                        Stack.DATABASE, project);
        err().flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer != null && answer.strip().equalsIgnoreCase("yes");
        } catch (IOException e) {
            return false;
        }
    }
}
