package io.stackctl.cli;

import picocli.CommandLine.Command;

@Command(
        name = "secrets",
        description = "Rotate the stack's secrets without a failed request.",
        subcommands = {SecretsRotate.class})
final class SecretsCommand extends CommandGroup {}
