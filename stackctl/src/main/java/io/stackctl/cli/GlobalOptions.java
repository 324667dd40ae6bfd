package io.stackctl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes: which project, where its files are, how to print. */
public final class GlobalOptions {

    public enum Format {
        table,
        json
    }

    @Option(
            names = {"-p", "--project"},
            defaultValue = "taskmanager",
            description = "Compose project name (default: ${DEFAULT-VALUE}).")
    String project;

    @Option(names = "--project-dir", description = "The stackctl checkout holding compose/ (default: found from here).")
    Path projectDir;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set).")
    boolean noColor;

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
