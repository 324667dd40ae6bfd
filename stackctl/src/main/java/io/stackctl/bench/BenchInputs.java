package io.stackctl.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.stackctl.client.Targets;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** What a benchmark runs against: the profile of a targets file, and the baseline it is compared with. */
public final class BenchInputs {

    private BenchInputs() {}

    /**
     * The profile of {@code file} with the options given in place of its own rate, duration and warm-up; exit 2 naming
     * what is wrong with the file or an option.
     */
    public static Targets.Profile plan(
            Path file, String profile, Optional<Double> rate, Optional<Duration> duration, Optional<Duration> warmup) {
        Targets targets;
        try {
            targets = Targets.read(file);
        } catch (IllegalArgumentException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "the targets file " + file + " is not a targets file: " + e.getMessage(),
                    "pass --targets FILE shaped like perf/targets.json");
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "cannot read the targets file " + file + ": " + e.getMessage(),
                    "pass --targets FILE with a valid targets.json (see perf/targets.json)");
        }
        Targets.Profile base;
        try {
            base = targets.profile(profile);
        } catch (IllegalArgumentException e) {
            throw new StackctlException(ExitCodes.USAGE, e.getMessage(), "use --profile smoke, ci or soak");
        }
        double r = rate.orElse(base.rate());
        long seconds = duration.map(Duration::toSeconds).orElse(base.durationSeconds());
        long warmupSeconds = warmup.map(Duration::toSeconds).orElse(base.warmupSeconds());
        if (warmupSeconds < 0 || warmupSeconds > 600) {
            throw new StackctlException(
                    ExitCodes.USAGE, "--warmup must be 0s to 10m, got " + warmupSeconds + " s", "e.g. --warmup 10s");
        }
        if (r <= 0 || r > 20_000 || seconds < 1 || seconds > 3_600) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "rate must be in (0, 20000] req/s and duration 1 s to 1 h, got " + r + " req/s for " + seconds
                            + " s",
                    "e.g. --rate 200 --duration 30s");
        }
        // A target of so many requests per second belongs to the profile's rate: at another --rate it scales with it.
        var limits = base.limits();
        var scaled = new Targets.Limits(
                limits.p50Ms(),
                limits.p95Ms(),
                limits.p99Ms(),
                limits.maxErrorPct(),
                limits.minRps() * r / base.rate());
        return new Targets.Profile(r, seconds, warmupSeconds, base.simulations(), scaled);
    }

    /** A previous run's summary.json; exit 2 when it cannot be read. */
    public static BenchSummary baseline(Path baselineFile) {
        try {
            return Json.MAPPER
                    .copy()
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(baselineFile.toFile(), BenchSummary.class);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "cannot read the baseline " + baselineFile + ": " + e.getMessage(),
                    "pass the summary.json of an earlier stackctl bench run");
        }
    }
}
