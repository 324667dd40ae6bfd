package io.stackctl.cli;

import io.stackctl.backup.InterruptedRestore;
import io.stackctl.backup.LiveRestore;
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

    @Parameters(index = "0", paramLabel = "FILE|latest", description = "A dump file, or latest.")
    String file;

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
        try (Stack stack = openStack()) {
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

    private boolean confirmed(String project) {
        return confirm("Replace every row of database %s in stack '%s' with this backup? Type yes to go on: "
                .formatted(Stack.DATABASE, project));
    }
}
