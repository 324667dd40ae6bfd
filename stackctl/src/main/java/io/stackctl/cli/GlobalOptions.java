package io.stackctl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every command takes: which project, where its files are, how to print. */
public final class GlobalOptions {

    public enum Format {
        table,
        json
    }

    /** What compose accepts as a project name; it also lands in file names and nginx's configuration. */
    static final String PROJECT_NAME = "[a-z0-9][a-z0-9_-]{0,62}";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    String project = "taskmanager";

    @Option(
            names = {"-p", "--project"},
            defaultValue = "taskmanager",
            description = "Compose project name: lower-case letters, digits, - and _ (default: ${DEFAULT-VALUE}).")
    void project(String name) {
        if (!name.matches(PROJECT_NAME)) {
            throw new ParameterException(
                    mixee.commandLine(),
                    "invalid project name '" + name + "': use lower-case letters, digits, - and _, starting with a"
                            + " letter or digit (at most 63), e.g. -p staging");
        }
        project = name;
    }

    @Option(names = "--project-dir", description = "The stackctl checkout holding compose/ (default: found from here).")
    Path projectDir;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set).")
    boolean noColor;

    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(
            names = {"-v", "--verbose"},
            description = "Show stack traces and the commands run.")
    boolean verbose;

    public String project() {
        return project;
    }

    public boolean json() {
        return output == Format.json;
    }

    public boolean verbose() {
        return verbose;
    }
}
