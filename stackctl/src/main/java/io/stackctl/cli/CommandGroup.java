package io.stackctl.cli;

import picocli.CommandLine;

/** A command that only groups subcommands (backups, images, secrets): alone, it names them and exits 2. */
abstract class CommandGroup implements Runnable {

    @CommandLine.Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "a subcommand is required: "
                        + String.join(", ", spec.subcommands().keySet()));
    }
}
