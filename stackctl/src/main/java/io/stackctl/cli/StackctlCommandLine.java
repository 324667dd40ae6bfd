package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one place that builds stackctl's {@link CommandLine}: commands, streams, environment, error handlers. */
public final class StackctlCommandLine {

    private StackctlCommandLine() {}

    /** The root only prints usage; every leaf is a command returning its exit code. */
    @Command(
            name = "stackctl",
            versionProvider = VersionProvider.class,
            description = "Provision, check, scale and exercise the bundled nginx + API + PostgreSQL + Redis stack.",
            subcommands = {
                UpCommand.class,
                DownCommand.class,
                StatusCommand.class,
                HealthCommand.class,
                TopCommand.class,
                FailoverCommand.class,
                ScaleCommand.class,
                DeployCommand.class,
                RollbackCommand.class,
                ReleasesCommand.class,
                SecretsCommand.class,
                CertsCommand.class,
                LogsCommand.class,
                ImagesCommand.class,
                DoctorCommand.class,
                BackupCommand.class,
                RestoreCommand.class,
                BackupsCommand.class,
                DrillCommand.class,
                BenchCommand.class,
                AgentCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:ok",
                "1:a check failed (unhealthy, target missed, drill failed, backup corrupt)",
                "2:usage error",
                "3:precondition missing (no engine, stack not running)",
                "4:the operation itself failed"
            })
    static final class Root implements Runnable {

        final Map<String, String> environment;

        /** Accepted before the command too ({@code stackctl -p prod status}), as docker, git and kubectl do. */
        @CommandLine.Mixin
        GlobalOptions global;

        @CommandLine.Option(
                names = {"-V", "--version"},
                versionHelp = true,
                description = "Print the version and exit.")
        boolean version;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Root(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
            throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
        }
    }

    public static CommandLine create(Map<String, String> environment, PrintWriter out, PrintWriter err) {
        var commandLine = new CommandLine(new Root(environment));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(StackctlCommandLine::onFailure);
        commandLine.setParameterExceptionHandler(StackctlCommandLine::onUsageError);
        commandLine.setExitCodeExceptionMapper(e -> e instanceof StackctlException s ? s.exitCode() : ExitCodes.FAILED);
        commandLine.setExecutionStrategy(parseResult -> {
            inheritGlobalOptions(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        return commandLine;
    }

    /**
     * Global options given before the command reach the command that runs, unless it was given the same option
     * itself (the nearer one wins, as in git).
     */
    static void inheritGlobalOptions(CommandLine.ParseResult root) {
        CommandLine.ParseResult leaf = root;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        if (leaf == root) {
            return;
        }
        for (CommandLine.Model.OptionSpec given : root.matchedOptions()) {
            CommandLine.Model.OptionSpec target = leaf.commandSpec().findOption(given.longestName());
            if (target != null && !leaf.hasMatchedOption(target) && !given.usageHelp() && !given.versionHelp()) {
                target.setValue(given.getValue());
            }
        }
    }

    static Map<String, String> environmentOf(CommandLine commandLine) {
        return ((Root) commandLine.getCommandSpec().root().userObject()).environment;
    }

    private static int onFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        boolean verbose = parseResult.subcommands().stream().anyMatch(sub -> sub.hasMatchedOption("-v"))
                || parseResult.hasMatchedOption("-v");
        int code = e instanceof StackctlException s ? s.exitCode() : ExitCodes.FAILED;
        String hint = e instanceof StackctlException s
                ? s.hint()
                : "run again with -v for the stack trace, and report it if it looks like a bug";
        if (wantsJson(parseResult)) {
            // -o json promises one JSON document on stdout: a failure is one too, so scripts can parse it.
            Map<String, Object> document = new java.util.LinkedHashMap<>();
            document.put("ok", false);
            document.put(
                    "error",
                    e instanceof StackctlException
                            ? e.getMessage()
                            : e.getClass().getSimpleName() + ": " + e.getMessage());
            document.put("hint", hint);
            document.put("exit_code", code);
            new Output(commandLine.getOut()).json(document);
        }
        if (e instanceof StackctlException failure) {
            err.println("error: " + failure.getMessage());
            err.println("hint: " + failure.hint());
            if (verbose && failure.getCause() != null) {
                failure.getCause().printStackTrace(err);
            }
            err.flush();
            return failure.exitCode();
        }
        err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        err.println("hint: run again with -v for the stack trace, and report it if it looks like a bug");
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILED;
    }

    private static boolean wantsJson(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult leaf = parseResult;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return leaf.commandSpec().userObject() instanceof StackCommand command && command.global.json();
    }

    private static int onUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println("error: " + e.getMessage());
        List<String> suggestions =
                e instanceof CommandLine.UnmatchedArgumentException unmatched ? unmatched.getSuggestions() : List.of();
        if (!suggestions.isEmpty()) {
            err.println("hint: did you mean "
                    + String.join(
                            " or ",
                            suggestions.stream()
                                    .limit(3)
                                    .map(s -> commandLine.getCommandSpec().qualifiedName() + " " + s)
                                    .toList())
                    + "? (" + commandLine.getCommandSpec().qualifiedName() + " --help lists them)");
        } else {
            err.println("hint: " + commandLine.getCommandSpec().qualifiedName() + " --help shows the usage");
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The jar's Implementation-Version, or {@code dev} when run from classes. */
    static String version() {
        String version = StackctlCommandLine.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"stackctl " + version()};
        }
    }
}
