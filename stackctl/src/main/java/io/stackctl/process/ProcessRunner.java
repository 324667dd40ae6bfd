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

    public ProcessRunner(Map<String, String> environment, Path workingDirectory) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
    }

    /** The same runner with some variables set or replaced (compose reads them before compose/.env). */
    public ProcessRunner with(Map<String, String> overrides) {
        var merged = new java.util.HashMap<>(environment);
        merged.putAll(overrides);
        return new ProcessRunner(merged, workingDirectory);
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs to completion and captures output; never throws for a non-zero exit. */
    public Result capture(List<String> command, Duration timeout) {
        Process process = start(command, false);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
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
        Result result = capture(command, timeout);
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

    static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size());
        return last.isEmpty() ? "(no output)" : String.join(" | ", last);
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
