package io.stackctl.cli;

import io.stackctl.backup.Manifest;
import picocli.CommandLine.Command;

@Command(
        name = "backups",
        description =
                "List, verify and prune the dumps in the backup folder; see the physical backups and WAL archiving.",
        subcommands = {
            BackupsList.class,
            BackupsVerify.class,
            BackupsPrune.class,
            BackupsStatus.class,
            BackupsProve.class
        })
final class BackupsCommand extends CommandGroup {

    static String verifiedText(Manifest manifest) {
        var v = manifest.verification();
        if (v == null) {
            return "never";
        }
        return v.ok() ? "ok (restore %.1fs)".formatted(v.restoreMs() / 1000.0) : "FAILED";
    }
}
