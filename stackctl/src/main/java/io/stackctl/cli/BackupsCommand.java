package io.stackctl.cli;

import io.stackctl.backup.Manifest;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
        name = "backups",
        description = "List, verify and prune the backups in the backup folder.",
        subcommands = {BackupsList.class, BackupsVerify.class, BackupsPrune.class})
final class BackupsCommand implements Runnable {

    @picocli.CommandLine.Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, verify or prune");
    }

    static String verifiedText(Manifest manifest) {
        var v = manifest.verification();
        if (v == null) {
            return "never";
        }
        return v.ok() ? "ok (restore %.1fs)".formatted(v.restoreMs() / 1000.0) : "FAILED";
    }
}
