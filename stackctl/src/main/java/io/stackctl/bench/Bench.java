package io.stackctl.bench;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import io.stackctl.perf.BenchPlan;
import io.stackctl.perf.BenchRunner;
import io.stackctl.perf.Recorder;
import io.stackctl.perf.Seeder;
import io.stackctl.perf.Stats;
import io.stackctl.perf.Targets;
import io.stackctl.perf.Verdict;
import io.stackctl.stack.Stack;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Runs a profile's simulations against the stack and writes the results folder. */
public final class Bench {

    /** Reads and updates of the read-heavy and mixed runs go to this many warm tasks. */
    static final int HOT_TASKS = 200;

    static final int MAX_SEED = 20_000;

    /** Every route the measured runs use: reads, lists, updates, creates and deletes. */
    static final String WARMUP_SIMULATION = "mixed";

    public record Settings(
            String profile,
            Targets.Profile plan,
            Optional<BenchSummary> baseline,
            double relativeTolerance,
            long absoluteToleranceMs) {}

    private final Stack stack;
    private final PrintWriter progress;

    public Bench(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
    }

    public BenchSummary run(Settings settings, Path resultsDir) throws IOException {
        String baseUrl = stack.settings().baseUrl();
        var plan = settings.plan();
        Duration duration = Duration.ofSeconds(plan.durationSeconds());
        var seeder = new Seeder();
        int seed = (int) Math.min(MAX_SEED, Math.max(HOT_TASKS, Math.ceil(plan.rate() * plan.durationSeconds())));
        say("seeding %d tasks through %s", seed, baseUrl);
        List<Long> all = seeder.seed(baseUrl, seed);
        List<Long> hot = all.subList(0, Math.min(HOT_TASKS, all.size()));
        seeder.warm(baseUrl, hot);
        if (plan.warmupSeconds() > 0) {
            say("warm-up: mixed at %s req/s for %d s, not recorded", plan.rate(), plan.warmupSeconds());
            // A fresh JVM answers its first thousands of requests interpreted; that is JIT, not the stack's speed.
            gatling(
                    WARMUP_SIMULATION,
                    new BenchPlan(baseUrl, plan.rate(), Duration.ofSeconds(plan.warmupSeconds()), hot),
                    resultsDir.resolve("warmup"));
        }
        var environment = Fingerprint.of(stack);
        Instant started = Instant.now();
        List<BenchSummary.SimulationResult> results = new ArrayList<>();
        for (String simulation : plan.simulations()) {
            boolean miss = simulation.equals("cache-miss");
            if (miss && seeder.clearCache(baseUrl) != 200) {
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "POST /cache/clear did not answer 200, so a cache-miss run would measure hits",
                        "check the cache with: bin/stackctl health");
            }
            say("%s: %s req/s for %d s (Gatling, open model)", simulation, plan.rate(), plan.durationSeconds());
            var run = gatling(
                    simulation,
                    new BenchPlan(baseUrl, plan.rate(), duration, miss ? all : hot),
                    resultsDir.resolve("gatling"));
            results.add(result(run, settings, duration.toSeconds()));
        }
        boolean passed = results.stream().allMatch(BenchSummary.SimulationResult::passed);
        var summary = new BenchSummary(
                settings.profile(),
                started,
                baseUrl,
                plan.rate(),
                plan.durationSeconds(),
                environment,
                results,
                passed);
        Files.write(resultsDir.resolve("summary.json"), Json.MAPPER.writeValueAsBytes(summary));
        Files.writeString(resultsDir.resolve("summary.md"), summary.markdown(), StandardCharsets.UTF_8);
        return summary;
    }

    /** Gatling prints its console report on stdout; stackctl's stdout carries only the answer. */
    private BenchRunner.Run gatling(String simulation, BenchPlan plan, Path dir) throws IOException {
        PrintStream stdout = System.out;
        System.setOut(System.err);
        try {
            return new BenchRunner().run(simulation, plan, dir);
        } finally {
            System.setOut(stdout);
        }
    }

    static BenchSummary.SimulationResult result(BenchRunner.Run run, Settings settings, double seconds) {
        List<Recorder.Request> requests = run.requests();
        Stats overall = Stats.of(requests, seconds);
        Map<String, Stats> byName = new TreeMap<>();
        requests.stream()
                .collect(Collectors.groupingBy(Recorder.Request::name))
                .forEach((name, list) -> byName.put(name, Stats.of(list, seconds)));
        List<Verdict> verdicts =
                new ArrayList<>(Verdict.againstTargets(overall, settings.plan().limits()));
        settings.baseline()
                .flatMap(b -> b.simulations().stream()
                        .filter(s -> s.simulation().equals(run.simulation()))
                        .findFirst())
                .ifPresent(base -> verdicts.addAll(Verdict.againstBaseline(
                        overall, base.overall(), settings.relativeTolerance(), settings.absoluteToleranceMs())));
        boolean passed = run.gatlingExit() == 0
                && !requests.isEmpty()
                && verdicts.stream().allMatch(Verdict::passed);
        return new BenchSummary.SimulationResult(
                run.simulation(),
                run.reportDir().toString(),
                run.gatlingExit(),
                overall,
                new LinkedHashMap<>(byName),
                verdicts,
                passed);
    }

    private void say(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
