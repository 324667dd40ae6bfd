package io.stackctl.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} for every command: a mixin, so each command (and {@link GlobalOptions}) declares it once. */
final class HelpOption {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this command's help and exit.")
    boolean help;
}
