package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.drill.Drill;
import io.stackctl.drill.DrillHtmlReport;
import io.stackctl.drill.DrillResult;
import io.stackctl.drill.DrillRunner;
import io.stackctl.drill.LoadSpikeDrill;
import io.stackctl.drill.Magnitudes;
import io.stackctl.stack.DbVolume;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "drill",
        description = {
            "Failover drill: check the steady state, put mixed load on the stack through nginx, inject a fault"
                    + " through the engine, measure errors, latency and recovery, check that every acknowledged"
                    + " write is in the database, and undo the fault. Exit 1 when a hypothesis fails.",
            "Drills: kill-replica, db-restart, cache-outage, nginx-reload, scale-under-load, deploy-under-load,"
                    + " cache-partition, cache-loss, cache-latency, db-partition, db-latency, replica-partition; with a"
                    + " standby db-failover and db-freeze; with the database on a device of its own (DB_VOLUME_DEVICE)"
                    + " disk-full; all (these). load-spike (the load x5 for a minute, on its own)"
                    + " watches the autoscaler (AUTOSCALE in compose/.env) add replicas and remove them. Network"
                    + " faults are"
                    + " iptables rules (and, for latency, a proxy) in the target container's own namespace (a helper"
                    + " container, never the host's firewall),"
                    + " removed when the drill ends, fails or is interrupted; if stackctl is killed, by the helper"
                    + " itself within a minute and by the next stackctl command."
        })
final class DrillCommand extends StackCommand {

    static final String REPORT = "report.html";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("'drills-'yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Override
    boolean changesStack() {
        return true;
    }

    @Parameters(
            index = "0",
            paramLabel = "NAME",
            description = "kill-replica, db-restart, cache-outage, nginx-reload, scale-under-load,"
                    + " deploy-under-load, cache-partition, cache-loss, cache-latency, db-partition, db-latency,"
                    + " replica-partition, disk-full, db-failover, db-freeze, load-spike, or all.")
    String name;

    @Option(
            names = "--duration",
            paramLabel = "D",
            defaultValue = "PT5S",
            converter = DurationConverter.class,
            description = "Load before and after the fault, and the length of db/cache outages (default: 5s).")
    Duration duration;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "50", description = "Requests per second (default: 50).")
    int rate;

    @Option(
            names = "--loss",
            paramLabel = "PERCENT",
            defaultValue = "20",
            description = "cache-loss: the share of packets to and from Redis dropped at random, 1-100 (default: 20).")
    int lossPercent;

    @Option(
            names = "--latency",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "db-latency, cache-latency: the delay added to each answer of PostgreSQL or Redis, 1ms to"
                    + " 1500ms (default: 200ms for PostgreSQL, 100ms for Redis, below its 250 ms timeout).")
    Duration latency;

    @Option(
            names = "--jitter",
            paramLabel = "D",
            converter = DurationConverter.ZeroAllowed.class,
            description = "db-latency, cache-latency: the latency varies by up to this much either way, at most the"
                    + " latency (default: 50ms for PostgreSQL, 20ms for Redis).")
    Duration jitter;

    @Option(
            names = "--bandwidth",
            paramLabel = "RATE",
            defaultValue = "none",
            description = "db-latency: also shape what PostgreSQL sends to the replicas to this rate, e.g. 64kbit or"
                    + " 2mbit (default: none).")
    String bandwidth;

    @Option(
            names = "--writes-back-within",
            paramLabel = "D",
            converter = DurationConverter.class,
            defaultValue = "PT25S",
            description = "db-failover, db-freeze: the bound on the first successful write after the fault, 5s to 10m"
                    + " (default: 25s).")
    Duration writesBackWithin;

    @Option(
            names = "--spike",
            paramLabel = "D",
            converter = DurationConverter.class,
            defaultValue = "PT60S",
            description = "load-spike: how long the load stays at five times --rate, 40s to 10m (default: 60s).")
    Duration spike;

    @Option(
            names = "--results",
            paramLabel = "DIR",
            description = "Where the run's folder goes (default: perf/results): summary.json and report.html, a page"
                    + " with requests/s, error %% and p99 over time and the fault window shaded.")
    Path resultsRoot;

    @Override
    boolean admitsAutoscaler() {
        return DrillRunner.AUTOSCALE_NAMES.contains(name);
    }

    @Override
    public Integer call() {
        // load-spike runs on its own: it lets the autoscaler change the replicas, which would confuse the fault drills.
        List<String> names = name.equals("all")
                ? DrillRunner.NAMES.stream()
                        .filter(n -> !DrillRunner.AUTOSCALE_NAMES.contains(n))
                        .toList()
                : List.of(name);
        if (!name.equals("all") && !DrillRunner.NAMES.contains(name)) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "no drill named '" + name + "'",
                    "choose one of " + String.join(", ", DrillRunner.NAMES) + ", or all");
        }
        if (rate < 1 || rate > 2000) {
            throw new StackctlException(ExitCodes.USAGE, "--rate must be 1 to 2000, got " + rate, "e.g. --rate 50");
        }
        List<Drill> drills;
        try {
            var magnitudes = new Magnitudes(
                    lossPercent,
                    latency == null ? Magnitudes.DRILL_DEFAULT : (int) Math.min(Integer.MAX_VALUE, latency.toMillis()),
                    jitter == null ? Magnitudes.DRILL_DEFAULT : (int) Math.min(Integer.MAX_VALUE, jitter.toMillis()),
                    Magnitudes.kbit(bandwidth));
            LoadSpikeDrill.checkSpike(spike);
            drills = names.stream()
                    .map(n -> DrillRunner.create(n, magnitudes, writesBackWithin, spike))
                    .toList();
        } catch (IllegalArgumentException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    e.getMessage(),
                    "e.g. --loss 20, --latency 200ms --jitter 50ms --bandwidth 64kbit, --spike 60s");
        }
        if (writesBackWithin.compareTo(Duration.ofSeconds(5)) < 0
                || writesBackWithin.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--writes-back-within must be 5s to 10m, got " + writesBackWithin,
                    "e.g. --writes-back-within 25s");
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new StackctlException(
                    ExitCodes.USAGE, "--duration must be 1s to 10m, got " + duration, "e.g. --duration 5s");
        }
        List<DrillResult> results = new ArrayList<>();
        try (Stack stack = openStack()) {
            stack.requireRunning();
            var target = target(stack);
            if (admitsAutoscaler()) {
                LoadSpikeDrill.requireAutoscaler(stack);
            }
            List<String> runHere = new ArrayList<>(target.drills(names));
            if (name.equals("all")
                    && !Standby.enabled(
                            stack.environment(), EnvFile.load(stack.files().envFile()))
                    && runHere.removeAll(DrillRunner.STANDBY_NAMES)) {
                progress(
                        "not running %s: they need a standby (bin/stackctl up --standby)",
                        String.join(" and ", DrillRunner.STANDBY_NAMES));
            }
            if (name.equals("all")
                    && !DbVolume.configured(
                            stack.environment(), EnvFile.load(stack.files().envFile()))
                    && runHere.removeAll(DrillRunner.DISK_NAMES)) {
                progress(
                        "not running %s: it needs the database on a device of its own (%s in compose/.env;"
                                + " docs/drills.md)",
                        String.join(" and ", DrillRunner.DISK_NAMES), DbVolume.DEVICE);
            }
            var runner = new DrillRunner(target, err());
            for (Drill drill : drills) {
                if (!runHere.contains(drill.name())) {
                    continue;
                }
                var result = runner.run(drill, rate, duration);
                results.add(result);
                if (!global.json()) {
                    DrillReport.print(output(), result);
                }
            }
        }
        boolean passed = results.stream().allMatch(DrillResult::passed);
        Path dir = writeResults(results);
        if (global.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("passed", passed);
            doc.put("drills", results);
            output().json(doc);
        } else {
            if (names.size() > 1) {
                output().line("drills: %d passed, %d failed"
                        .formatted(
                                results.stream().filter(DrillResult::passed).count(),
                                results.stream().filter(r -> !r.passed()).count()));
            }
            output().line("report: " + dir.resolve(REPORT));
        }
        if (!passed) {
            for (DrillResult result : results) {
                result.broken()
                        .forEach(h -> err().printf(
                                        "error: drill %s: '%s' did not hold (measured: %s)%n",
                                        result.drill(), h.claim(), h.measured()));
            }
            err().println("the stack was put back in its steady state");
            err().println("hint: the failed requests listed with the drill say when and what the client got;"
                    + " bin/stackctl logs nginx (and logs app) show why");
            err().flush();
            return ExitCodes.CHECK_FAILED;
        }
        return ExitCodes.OK;
    }

    /** summary.json (the -o json document) and the HTML report, in a folder of this run's own. */
    private Path writeResults(List<DrillResult> results) {
        Path root = resultsRoot != null ? resultsRoot : files().root().resolve("perf/results");
        Path dir = root.resolve(STAMP.format(Instant.now()));
        try {
            Files.createDirectories(dir);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("passed", results.stream().allMatch(DrillResult::passed));
            doc.put("drills", results);
            Files.writeString(dir.resolve("summary.json"), Output.JSON.writeValueAsString(doc));
            Files.writeString(
                    dir.resolve(REPORT),
                    DrillHtmlReport.render(
                            results,
                            "stackctl drills, project " + global.project() + ", "
                                    + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the drill results to " + dir + ": " + e.getMessage(),
                    "pass a writable folder with --results DIR");
        }
        return dir;
    }
}
