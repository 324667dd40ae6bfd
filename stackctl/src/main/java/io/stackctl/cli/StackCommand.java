package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import io.stackctl.stack.StackLock;
import io.stackctl.stack.StackSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every leaf command shares: the global options, its streams, and a way to open the stack. */
abstract class StackCommand implements Callable<Integer> {

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Progress and hints: stderr, so stdout carries only the answer. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Output output() {
        return new Output(out());
    }

    Map<String, String> environment() {
        return StackctlCommandLine.environmentOf(spec.commandLine());
    }

    StackFiles files() {
        String home = environment().get("STACKCTL_HOME");
        return StackFiles.locate(global.projectDir, home, Path.of("").toAbsolutePath());
    }

    Stack openStack() {
        Stack stack = Stack.open(global.project(), files(), environment(), global.verbose() ? err() : null, plain());
        if (changesStack()) {
            try {
                stack.lockFor(StackLock.describe(
                        String.join(" ", spec.commandLine().getParseResult().originalArgs())));
            } catch (RuntimeException e) {
                stack.close();
                throw e;
            }
        }
        return stack;
    }

    /** The Swarm side of the stack, for commands that run it there ({@code up --target swarm}). */
    io.stackctl.swarm.Swarm swarm(Stack stack) {
        return new io.stackctl.swarm.Swarm(
                stack,
                new io.stackctl.process.ProcessRunner(environment(), files().root(), global.verbose() ? err() : null),
                err());
    }

    /** The project's lock without the engine, for commands that change only files (backups prune). */
    StackLock lockFiles() {
        return StackLock.acquire(
                files().locksDir(),
                global.project(),
                StackLock.describe(
                        String.join(" ", spec.commandLine().getParseResult().originalArgs())));
    }

    /** Commands that change the stack or its data take the project's lock for as long as they run. */
    boolean changesStack() {
        return false;
    }

    /** Exit 3 unless app replicas run: deploy and rollback change a running stack, up starts one. */
    static void requireReplicas(Stack stack) {
        stack.requireRunning();
        if (stack.replicas().isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "no app replica of '" + stack.project() + "' is running, so there is nothing to roll over",
                    "start the stack with: bin/stackctl up");
        }
    }

    /**
     * Rebuilds the images made from this checkout (the app, the upstream agent), as {@code docker compose up
     * --build} does: an image kept only because it exists would go on serving yesterday's code (and schema) after
     * a change. Docker's layer cache makes an unchanged rebuild cost about a second. {@code keep} builds only what
     * is missing.
     */
    void buildImages(Stack stack, boolean keep) {
        String image = stack.settings().appImage();
        boolean exists = stack.engine().imageExists(image)
                && stack.engine().imageExists(stack.settings().agentImage());
        if (keep && exists) {
            return;
        }
        progress(
                exists ? "rebuilding the app image %s (cached layers are reused)" : "building the app image %s", image);
        try {
            stack.compose().buildLocalImages();
        } catch (StackctlException e) {
            String base = StackSettings.setting(
                    "JRE_IMAGE", DEFAULT_JRE_IMAGE, environment(), EnvFile.load(files().envFile()));
            if (stack.engine().imageExists(base)) {
                throw e;
            }
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot build the app and upstream-agent images: their base image " + base + " is not on this"
                            + " host and no image registry answered (" + lastLine(e.getMessage()) + ")",
                    OFFLINE_HINT,
                    e);
        }
    }

    /** The Java runtime image the app and agent images are built on (compose.yaml's default). */
    static final String DEFAULT_JRE_IMAGE = "eclipse-temurin:17-jre";

    /** What fixes any image that cannot be had without a registry. */
    static final String OFFLINE_HINT = "on a host without a registry: bin/stackctl up --offline (builds stand-ins"
            + " locally); or point POSTGRES_IMAGE, REDIS_IMAGE, NGINX_IMAGE, JRE_IMAGE in compose/.env at images you"
            + " have";

    /** The last of the ' | '-joined lines a failed command's message carries, shortened. */
    static String lastLine(String message) {
        String[] parts = message.split(" \\| ");
        String last = parts[parts.length - 1].strip();
        return last.length() > 200 ? last.substring(0, 200) + "..." : last;
    }

    /** No colours: --no-color, NO_COLOR (https://no-color.org), or output that is not a terminal. */
    boolean plain() {
        String noColor = environment().get("NO_COLOR");
        return global.noColor || (noColor != null && !noColor.isEmpty()) || System.console() == null;
    }

    /** Asks on stderr and reads one line from stdin; only "yes" goes on (no terminal, no answer: no). */
    boolean confirm(String question) {
        err().print(question);
        err().flush();
        try {
            String answer = new java.io.BufferedReader(
                            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            return answer != null && answer.strip().equalsIgnoreCase("yes");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    void progress(String format, Object... args) {
        err().printf(format + "%n", args);
        err().flush();
    }
}
