package io.stackctl.compose;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.process.ProcessRunner;
import io.stackctl.stack.StackFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Provisioning through the compose CLI, so the stack stays a plain compose project that users can drive
 * by hand. Project name and file are passed explicitly; output goes to the caller, failures name the command.
 */
public final class ComposeCli {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(15);

    private final ProcessRunner runner;
    private final ComposeFlavour flavour;
    private final String project;
    private final StackFiles files;

    public ComposeCli(ProcessRunner runner, ComposeFlavour flavour, String project, StackFiles files) {
        this.runner = runner;
        this.flavour = flavour;
        this.project = project;
        this.files = files;
    }

    /** Finds the compose CLI, or says how to install one (exit 3). */
    public static ComposeFlavour detect(ProcessRunner runner) {
        return probe(runner)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "no Docker Compose found (need 'docker compose' v2 or 'docker-compose' 1.29+)",
                        "install the compose plugin (docker-compose-plugin) or Debian's docker-compose package"));
    }

    public static Optional<ComposeFlavour> probe(ProcessRunner runner) {
        return ComposeFlavour.choose(
                versionOutput(runner, ComposeFlavour.V2), versionOutput(runner, ComposeFlavour.V1));
    }

    private static Optional<String> versionOutput(ProcessRunner runner, List<String> command) {
        var probe = new ArrayList<>(command);
        probe.add("version");
        try {
            var result = runner.capture(probe, PROBE_TIMEOUT);
            return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
        } catch (StackctlException e) {
            return Optional.empty();
        }
    }

    public ComposeFlavour flavour() {
        return flavour;
    }

    /** Starts (or converges) the whole stack with {@code replicas} app containers. */
    public void up(int replicas) {
        run("up", "-d", "--remove-orphans", "--scale", "app=" + replicas);
    }

    /** Converges only the app service to {@code replicas}, touching nothing else. */
    public void scaleApp(int replicas) {
        run("up", "-d", "--no-deps", "--no-recreate", "--scale", "app=" + replicas, "app");
    }

    /** Builds the images made from this checkout: the app and the upstream agent (stackctl's own jar). */
    public void buildLocalImages() {
        run("build", "app", "upstream-agent");
    }

    public void down(boolean volumes) {
        if (volumes) {
            run("down", "--remove-orphans", "--volumes");
        } else {
            run("down", "--remove-orphans");
        }
    }

    /** Streams logs to the terminal; returns compose's exit code. */
    public int logs(Optional<String> service, boolean follow, int tail) {
        var command = base();
        command.addAll(List.of("logs", "--tail", Integer.toString(tail)));
        if (follow) {
            command.add("-f");
        }
        service.ifPresent(command::add);
        return runner.interactive(command);
    }

    /** The command prefix a user can paste to drive the same project by hand. */
    public List<String> base() {
        var command = new ArrayList<>(flavour.command());
        command.addAll(List.of("-p", project, "-f", files.composeFile().toString()));
        return command;
    }

    private void run(String... args) {
        var command = base();
        command.addAll(List.of(args));
        runner.check(command, UP_TIMEOUT);
    }
}
