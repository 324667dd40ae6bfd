package io.stackctl.process;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs every external command stackctl needs (compose, image builds): argument lists, never shell strings.
 * A failure names the command, its exit code and the tail of its stderr.
 */
public final class ProcessRunner {

    private static final int STDERR_TAIL_LINES = 15;

    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final java.io.PrintWriter trace;

    public ProcessRunner(Map<String, String> environment, Path workingDirectory) {
        this(environment, workingDirectory, null);
    }

    /** With {@code trace} (stackctl -v), every command is printed there before it runs, as {@code set -x} does. */
    public ProcessRunner(Map<String, String> environment, Path workingDirectory, java.io.PrintWriter trace) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
        this.trace = trace;
    }

    /** The variables the commands run with. */
    public Map<String, String> environment() {
        return environment;
    }

    /** The same runner with some variables set or replaced (compose reads them before compose/.env). */
    public ProcessRunner with(Map<String, String> overrides) {
        var merged = new java.util.HashMap<>(environment);
        merged.putAll(overrides);
        return new ProcessRunner(merged, workingDirectory, trace);
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs to completion and captures output; never throws for a non-zero exit. */
    public Result capture(List<String> command, Duration timeout) {
        return capture(command, timeout, line -> {});
    }

    /** Like {@link #capture}, handing each stderr line to {@code progress} as it comes (long builds show progress). */
    public Result capture(List<String> command, Duration timeout, java.util.function.Consumer<String> progress) {
        Process process = start(command, false);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err =
                CompletableFuture.supplyAsync(() -> readLines(process.getErrorStream(), progress));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "'" + String.join(" ", command) + "' did not finish within " + timeout.toSeconds() + " s",
                        "run it by hand to see where it hangs");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StackctlException(ExitCodes.FAILED, "interrupted: " + String.join(" ", command), "run it again");
        }
    }

    /** Like {@link #capture} but a non-zero exit is an error naming the command, its code and stderr. */
    public Result check(List<String> command, Duration timeout) {
        return check(command, timeout, line -> {});
    }

    public Result check(List<String> command, Duration timeout, java.util.function.Consumer<String> progress) {
        Result result = capture(command, timeout, progress);
        if (!result.ok()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "'" + String.join(" ", command) + "' exited with " + result.exitCode() + ": "
                            + tail(result.stderr()),
                    "fix what the command reports above, then run stackctl again (-v shows more)");
        }
        return result;
    }

    /** Runs with the terminal attached (logs -f, long builds); returns the exit code. */
    public int interactive(List<String> command) {
        Process process = start(command, true);
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private Process start(List<String> command, boolean inheritIo) {
        if (trace != null) {
            trace.println("+ "
                    + String.join(
                            " ", command.stream().map(ProcessRunner::quoted).toList()));
            trace.flush();
        }
        var builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().putAll(environment);
        if (inheritIo) {
            builder.inheritIO();
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot run '" + command.get(0) + "': " + e.getMessage(),
                    "install it or put it on PATH (stackctl doctor checks what is missing)");
        }
    }

    /** An argument as a shell would need it, for the trace a user may paste. */
    static String quoted(String argument) {
        return argument.matches("[A-Za-z0-9_@%+=:,./-]+") ? argument : "'" + argument.replace("'", "'\\''") + "'";
    }

    static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size());
        return last.isEmpty() ? "(no output)" : String.join(" | ", last);
    }

    private static String readLines(InputStream stream, java.util.function.Consumer<String> progress) {
        var text = new StringBuilder();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                text.append(line).append('\n');
                progress.accept(line);
            }
        } catch (IOException e) {
            // the process went away: what was read is what there is
        }
        return text.toString();
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
