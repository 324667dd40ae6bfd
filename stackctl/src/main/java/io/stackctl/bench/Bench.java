package io.stackctl.bench;

import io.stackctl.client.ApiAccess;
import io.stackctl.client.BenchPlan;
import io.stackctl.client.LoadRunner;
import io.stackctl.client.Recorder;
import io.stackctl.client.Seeder;
import io.stackctl.client.Stats;
import io.stackctl.client.Targets;
import io.stackctl.client.Verdict;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import io.stackctl.data.ExerciseData;
import io.stackctl.stack.Monitoring;
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
    static final Duration YOUNG_REPLICA = Duration.ofMinutes(2);
    static final Duration YOUNG_WARMUP = Duration.ofSeconds(30);

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
        ApiAccess api = stack.api();
        var plan = settings.plan();
        Duration duration = Duration.ofSeconds(plan.durationSeconds());
        var data = ExerciseData.mark(stack);
        try {
            return run(settings, resultsDir, api, plan, duration, data.titlePrefix("bench"));
        } finally {
            say("removed the benchmark's %d tasks from the database", data.cleanUp());
        }
    }

    private BenchSummary run(
            Settings settings,
            Path resultsDir,
            ApiAccess api,
            Targets.Profile plan,
            Duration duration,
            String titlePrefix)
            throws IOException {
        var seeder = new Seeder();
        int seed = (int) Math.min(MAX_SEED, Math.max(HOT_TASKS, Math.ceil(plan.rate() * plan.durationSeconds())));
        say("seeding %d tasks through %s", seed, api.baseUrl());
        List<Long> all = seeder.seed(api, seed, titlePrefix);
        List<Long> hot = all.subList(0, Math.min(HOT_TASKS, all.size()));
        seeder.warm(api, hot);
        long warmup = warmupSeconds(plan.warmupSeconds());
        if (warmup > 0) {
            say("warm-up: mixed at %s req/s for %d s, not recorded", plan.rate(), warmup);
            // A fresh JVM answers its first thousands of requests interpreted; that is JIT, not the stack's speed.
            gatling(
                    WARMUP_SIMULATION,
                    new BenchPlan(api, plan.rate(), Duration.ofSeconds(warmup), hot, titlePrefix),
                    resultsDir.resolve("warmup"));
        }
        var environment = Fingerprint.of(stack);
        Instant started = Instant.now();
        List<BenchSummary.SimulationResult> results = new ArrayList<>();
        Map<String, Object> prometheus;
        try (var recording = Monitoring.runRecorder(stack).start("bench", settings.profile())) {
            for (String simulation : plan.simulations()) {
                boolean miss = simulation.equals("cache-miss");
                if (miss && seeder.clearCache(api) != 200) {
                    throw new StackctlException(
                            ExitCodes.FAILED,
                            "POST /cache/clear did not answer 200, so a cache-miss run would measure hits",
                            "check the cache with: bin/stackctl health");
                }
                say("%s: %s req/s for %d s (Gatling, open model)", simulation, plan.rate(), plan.durationSeconds());
                var run = gatling(
                        simulation,
                        new BenchPlan(api, plan.rate(), duration, miss ? all : hot, titlePrefix),
                        resultsDir.resolve("gatling"));
                results.add(result(run, settings, duration.toSeconds()));
            }
            prometheus = recording.figures();
        }
        boolean passed = results.stream().allMatch(BenchSummary.SimulationResult::passed);
        var summary = new BenchSummary(
                settings.profile(),
                started,
                api.baseUrl(),
                plan.rate(),
                plan.durationSeconds(),
                environment,
                results,
                passed,
                prometheus);
        Files.write(resultsDir.resolve("summary.json"), Json.MAPPER.writeValueAsBytes(summary));
        Files.writeString(resultsDir.resolve("summary.md"), summary.markdown(), StandardCharsets.UTF_8);
        return summary;
    }

    /**
     * A replica started minutes ago (a deploy, a restart) answers its first thousands of requests before the JIT has
     * compiled them: its p99 is the compiler's, not the stack's. Such a stack gets a longer warm-up; 0 stays 0.
     */
    private long warmupSeconds(long planned) {
        Instant youngerThan = Instant.now().minus(YOUNG_REPLICA);
        boolean young = stack.replicas().stream()
                .anyMatch(r -> r.startedAt().map(t -> t.isAfter(youngerThan)).orElse(true));
        if (planned > 0 && planned < YOUNG_WARMUP.toSeconds() && young) {
            say(
                    "a replica started less than %d s ago: warming up for %d s instead of %d (its JIT is still cold)",
                    YOUNG_REPLICA.toSeconds(), YOUNG_WARMUP.toSeconds(), planned);
            return YOUNG_WARMUP.toSeconds();
        }
        return planned;
    }

    /**
     * Gatling prints its progress on stdout, which carries only stackctl's answer, and it would flood the terminal:
     * it goes to {@code gatling-console.log} in the results folder instead; one progress line per run stays.
     */
    private LoadRunner.Run gatling(String simulation, BenchPlan plan, Path dir) throws IOException {
        Files.createDirectories(dir);
        PrintStream stdout = System.out;
        try (var console = new PrintStream(
                Files.newOutputStream(
                        dir.resolve("gatling-console.log"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND),
                true,
                StandardCharsets.UTF_8)) {
            System.setOut(console);
            return LoadRunner.find().run(simulation, plan, dir);
        } finally {
            System.setOut(stdout);
        }
    }

    static BenchSummary.SimulationResult result(LoadRunner.Run run, Settings settings, double seconds) {
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
        boolean passed =
                run.exit() == 0 && !requests.isEmpty() && verdicts.stream().allMatch(Verdict::passed);
        return new BenchSummary.SimulationResult(
                run.simulation(),
                run.reportDir().toString(),
                run.exit(),
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
