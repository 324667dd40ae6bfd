package io.stackctl.cli;

import io.stackctl.bench.Bench;
import io.stackctl.bench.BenchInputs;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        description = {
            "Benchmark the stack through nginx with Gatling (in-process, open model): seed tasks, run the profile's"
                    + " simulations, write perf/results/<timestamp>/ (Gatling's HTML report, summary.json,"
                    + " summary.md) and check the targets of perf/targets.json.",
            "Exit 1 when a target is missed or --baseline shows a regression."
        })
final class BenchCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Option(
            names = "--profile",
            paramLabel = "P",
            defaultValue = "smoke",
            description = "smoke, ci or soak (default: smoke).")
    String profile;

    @Option(
            names = "--rate",
            paramLabel = "R",
            description = "Arrival rate in requests per second (default: the profile's).")
    Double rate;

    @Option(
            names = "--duration",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "Length of each simulation (default: the profile's).")
    Duration duration;

    @Option(
            names = "--warmup",
            paramLabel = "D",
            converter = DurationConverter.ZeroAllowed.class,
            description = "Unrecorded mixed load at the same rate before the measured runs, so the replicas' JIT"
                    + " and Gatling are warm (default: the profile's; 0s to skip).")
    Duration warmup;

    @Option(names = "--targets", paramLabel = "FILE", description = "Targets file (default: perf/targets.json).")
    Path targetsFile;

    @Option(names = "--baseline", paramLabel = "FILE", description = "A previous summary.json to compare against.")
    Path baselineFile;

    @Option(
            names = "--tolerance",
            paramLabel = "FRACTION",
            defaultValue = "0.25",
            description = "Relative regression allowed against the baseline (default: 0.25 = 25%%).")
    double tolerance;

    @Option(
            names = "--tolerance-ms",
            paramLabel = "MS",
            defaultValue = "5",
            description = "Absolute latency regression allowed against the baseline (default: 5 ms).")
    long toleranceMs;

    @Option(names = "--results", paramLabel = "DIR", description = "Results folder (default: perf/results).")
    Path resultsRoot;

    @Override
    public Integer call() throws IOException {
        var plan = BenchInputs.plan(
                targetsFile != null ? targetsFile : files().root().resolve("perf/targets.json"),
                profile,
                Optional.ofNullable(rate),
                Optional.ofNullable(duration),
                Optional.ofNullable(warmup));
        var baseline = Optional.ofNullable(baselineFile).map(BenchInputs::baseline);
        if (tolerance < 0 || toleranceMs < 0) {
            throw new StackctlException(ExitCodes.USAGE, "tolerances cannot be negative", "e.g. --tolerance 0.25");
        }
        try (Stack stack = openStack()) {
            stack.requireRunning();
            stack.requireHealthy("a benchmark would measure the failure", err());
            Path root = resultsRoot != null ? resultsRoot : files().root().resolve("perf/results");
            Path dir = root.resolve(STAMP.format(Instant.now()));
            Files.createDirectories(dir);
            var summary = new Bench(stack, err())
                    .run(new Bench.Settings(profile, plan, baseline, tolerance, toleranceMs), dir);
            if (global.json()) {
                output().json(summary);
            } else {
                output().line(summary.markdown());
                output().line("results: " + dir);
            }
            if (!summary.passed()) {
                err().println("error: the " + profile + " benchmark missed a target or regressed (see MISSED above)");
                err().println("hint: the Gatling report in " + dir + " shows where the time went");
                err().flush();
                return ExitCodes.CHECK_FAILED;
            }
        }
        return ExitCodes.OK;
    }
}
