package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "verify",
        description = "Restore a backup into a scratch database, compare row counts, drop it; the result (and the"
                + " restore time) is recorded in the manifest.")
final class BackupsVerify extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Parameters(index = "0", paramLabel = "FILE|latest", description = "A dump file, or latest.")
    String file;

    @Mixin
    BackupOptions options;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            var selected = options.select(this, stack, file);
            var backup = selected.backup();
            var manifest = selected.backups().verify(backup);
            var fit = selected.backups().schemaFit(manifest);
            if (global.json()) {
                var document = BackupOptions.document(backup.dump(), manifest);
                document.put("schema_fit", fit.fit());
                document.put("schema", fit.describe());
                output().json(document);
            } else {
                output().line("verified %s: restored into a scratch database in %.1fs, row counts match (%d rows);"
                                .formatted(
                                        backup.name(),
                                        manifest.verification().restoreMs() / 1000.0,
                                        manifest.totalRows())
                        + " " + fit.describe());
            }
            if (fit.fit() == io.stackctl.backup.SchemaFit.newer) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        backup.name() + " is intact but holds " + fit.describe()
                                + ": restore would refuse it while this app runs",
                        "deploy the app release that brought that schema first, or keep an older backup at hand");
            }
        }
        return ExitCodes.OK;
    }
}
