package io.stackctl.drill;

import io.stackctl.client.ApiAccess;
import io.stackctl.client.Seeder;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.data.ExerciseData;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.Stack;
import io.stackctl.targets.Target;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Runs one drill: steady state first, then load, fault, recovery, more load, the undo (also on failure and
 * Ctrl-C), and the checks every drill shares: no acknowledged write lost, no request hung, stack healthy.
 */
public final class DrillRunner {

    public static final List<String> NAMES = List.of(
            "kill-replica",
            "db-restart",
            "cache-outage",
            "nginx-reload",
            "scale-under-load",
            "deploy-under-load",
            "cache-partition",
            "cache-loss",
            "cache-latency",
            "db-partition",
            "db-latency",
            "replica-partition",
            "disk-full",
            "db-failover",
            "db-freeze",
            "load-spike");

    /** The drills that need a standby (bin/stackctl up --standby): drill all runs them only when there is one. */
    public static final List<String> STANDBY_NAMES = List.of("db-failover", "db-freeze");

    /**
     * The drills that need the database on a filesystem of its own (DB_VOLUME_DEVICE): drill all runs them only then,
     * as filling a folder of the host's disk would fill the host.
     */
    public static final List<String> DISK_NAMES = List.of("disk-full");

    /** The drills that need the autoscaler (AUTOSCALE in compose/.env): drill all runs them only when it is on. */
    public static final List<String> AUTOSCALE_NAMES = List.of("load-spike");

    static final int SEED_TASKS = 30;
    static final Duration STEADY_AGAIN_WITHIN = Duration.ofSeconds(60);

    private final Target target;
    private final Stack stack;
    private final PrintWriter progress;

    public DrillRunner(Target target, PrintWriter progress) {
        this.target = target;
        this.stack = target.stack();
        this.progress = progress;
    }

    /** A drill by name, with the magnitude of the faults that take one. */
    public static Drill create(String name, Magnitudes magnitudes) {
        return create(name, magnitudes, DbFailoverDrill.WRITES_BACK_WITHIN);
    }

    /**
     * As {@link #create(String, Magnitudes)}, with the bound db-failover and db-freeze hold the first successful write
     * after the fault to.
     */
    public static Drill create(String name, Magnitudes magnitudes, Duration writesBackWithin) {
        return create(name, magnitudes, writesBackWithin, LoadSpikeDrill.SPIKE);
    }

    /** As {@link #create(String, Magnitudes, Duration)}, with how long load-spike's spike lasts. */
    public static Drill create(String name, Magnitudes magnitudes, Duration writesBackWithin, Duration spike) {
        return switch (name) {
            case "kill-replica" -> new KillReplicaDrill();
            case "db-restart" -> new DbRestartDrill();
            case "cache-outage" -> new CacheOutageDrill();
            case "nginx-reload" -> new NginxReloadDrill();
            case "scale-under-load" -> new ScaleUnderLoadDrill();
            case "deploy-under-load" -> new DeployUnderLoadDrill();
            case "cache-partition" -> new CachePartitionDrill();
            case "cache-loss" -> new CacheLossDrill(magnitudes.lossPercent());
            case "cache-latency" ->
                new CacheLatencyDrill(
                        magnitudes.latencyOr(CacheLatencyDrill.DEFAULT_LATENCY_MS),
                        magnitudes.jitterOr(CacheLatencyDrill.DEFAULT_JITTER_MS));
            case "db-partition" -> new DbPartitionDrill();
            case "db-latency" ->
                new DbLatencyDrill(
                        magnitudes.latencyOr(DbLatencyDrill.DEFAULT_LATENCY_MS),
                        magnitudes.jitterOr(DbLatencyDrill.DEFAULT_JITTER_MS),
                        magnitudes.bandwidthKbit());
            case "replica-partition" -> new ReplicaPartitionDrill();
            case "disk-full" -> new DiskFullDrill();
            case "db-failover" -> new DbFailoverDrill(false, writesBackWithin);
            case "db-freeze" -> new DbFailoverDrill(true, writesBackWithin);
            case "load-spike" -> new LoadSpikeDrill(spike);
            default -> throw new IllegalArgumentException("no drill " + name);
        };
    }

    public DrillResult run(Drill drill, int rate, Duration duration) {
        stack.requireHealthy("a drill would prove nothing", progress);
        progress.printf(
                "drill %s: %d req/s through nginx, %d s before and after the fault%n",
                drill.name(), rate, duration.toSeconds());
        progress.flush();
        var data = ExerciseData.mark(stack);
        ApiAccess api = stack.api();
        String titlePrefix = data.titlePrefix("drill");
        List<Long> seeded = seed(api, titlePrefix);
        long maxRequests = rate * (2 * duration.toSeconds() + drill.faultLoadSeconds());
        try (var recording = Monitoring.runRecorder(stack).start("drill", drill.name());
                var load = new LoadGenerator(api, seeded, maxRequests, titlePrefix + "write ")) {
            var context = new DrillContext(target, load, rate, duration, progress);
            Thread undo = new Thread(() -> drill.restore(context), "drill-undo");
            Runtime.getRuntime().addShutdownHook(undo);
            Drill.Outcome outcome;
            List<Sample> samples;
            try {
                load.start(rate);
                DrillContext.pause(duration);
                outcome = drill.inject(context);
                DrillContext.pause(duration);
            } finally {
                load.stop();
                drill.restore(context);
                try {
                    Runtime.getRuntime().removeShutdownHook(undo);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is running the undo already
                }
            }
            samples = load.samples();
            var result = judge(drill, outcome, samples, seeded, load).withFigure("prometheus", recording.figures());
            progress.printf("  removed the drill's %d tasks from the database%n", data.cleanUp());
            progress.flush();
            return result;
        }
    }

    private DrillResult judge(
            Drill drill, Drill.Outcome outcome, List<Sample> samples, List<Long> seeded, LoadGenerator load) {
        List<Hypothesis> hypotheses = new ArrayList<>(outcome.judge().judge(samples));
        List<Long> acknowledged = new ArrayList<>(seeded);
        acknowledged.addAll(Verdicts.acknowledgedIds(samples));
        List<Long> missing = missingFromDatabase(acknowledged);
        hypotheses.add(drill.acknowledgedLoss(missing, acknowledged.size(), samples));
        long duplicated = duplicatedCreates(load.titlePrefix());
        hypotheses.add(Hypothesis.check(
                "0 writes duplicated (a retried create makes one task)",
                duplicated == 0,
                duplicated + " duplicated, " + load.retries() + " retries"));
        long hung = Verdicts.count(samples, Sample::timedOut);
        hypotheses.add(Hypothesis.check(
                "no request hung past " + LoadGenerator.HANG_BOUND.toSeconds() + " s", hung == 0, hung + " hung"));
        long steadyStart = System.nanoTime();
        var problems = new AtomicReference<List<String>>(List.of());
        boolean steady = DrillContext.await(STEADY_AGAIN_WITHIN, () -> {
            problems.set(stack.problems());
            return problems.get().isEmpty();
        });
        hypotheses.add(Hypothesis.check(
                "the stack is back in its steady state",
                steady,
                steady
                        ? "healthy " + (System.nanoTime() - steadyStart) / 1_000_000 + " ms after the undo"
                        : String.join("; ", problems.get())));
        Map<String, PhaseStats> phases = new LinkedHashMap<>();
        phases.put("before", PhaseStats.of(Verdicts.between(samples, 0, outcome.faultAtMs())));
        phases.put("during", PhaseStats.of(Verdicts.between(samples, outcome.faultAtMs(), outcome.recoveredAtMs())));
        phases.put("after", PhaseStats.of(Verdicts.between(samples, outcome.recoveredAtMs(), Long.MAX_VALUE)));
        Map<String, Object> figures = new LinkedHashMap<>(outcome.figures());
        figures.put("recovery_ms", outcome.recoveredAtMs() - outcome.faultAtMs());
        figures.put("acknowledged_writes", acknowledged.size());
        figures.put("client_retries", load.retries());
        return DrillResult.of(
                drill.name(), hypotheses, phases, figures, samples, outcome.faultAtMs(), outcome.recoveredAtMs());
    }

    /** The acknowledged ids the database does not hold, in order. */
    private List<Long> missingFromDatabase(List<Long> ids) {
        String array = ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
        String missing = PostgresContainer.of(stack)
                .psql(
                        Stack.DATABASE,
                        "SELECT coalesce(string_agg(x::text, ',' ORDER BY x), '') FROM unnest('" + array
                                + "'::bigint[]) x WHERE NOT EXISTS (SELECT 1 FROM tasks WHERE id = x)")
                .strip();
        return missing.isEmpty()
                ? List.of()
                : java.util.Arrays.stream(missing.split(",")).map(Long::valueOf).toList();
    }

    /** Tasks beyond the first with the same title; this run's titles are unique, so any is a repeated create. */
    private long duplicatedCreates(String titlePrefix) {
        // the prefix is generated (letters, digits, spaces), never user input
        return queryLong("SELECT count(*) - count(DISTINCT title) FROM tasks WHERE title LIKE '" + titlePrefix + "%'");
    }

    private long queryLong(String sql) {
        return Long.parseLong(
                PostgresContainer.of(stack).psql(Stack.DATABASE, sql).strip());
    }

    /** Tasks for the load to read, created and read once through nginx so the reads are cache hits. */
    static List<Long> seed(ApiAccess api, String titlePrefix) {
        var seeder = new Seeder();
        try {
            List<Long> ids = seeder.seed(api, SEED_TASKS, titlePrefix);
            seeder.warm(api, ids);
            return ids;
        } catch (RuntimeException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "seeding the drill's tasks through " + api.baseUrl() + " failed: " + e.getMessage(),
                    "check the stack with: bin/stackctl health");
        }
    }
}
