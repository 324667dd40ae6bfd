package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.health.HttpProbe;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.Stack;
import io.stackctl.top.PrometheusQueries;
import io.stackctl.top.ReplicaScrapes;
import io.stackctl.top.TopSample;
import io.stackctl.top.TopSource;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "top",
        description = "Live view: req/s, errors, p50/p99 per replica and for the stack, pool use, cache hit ratio,"
                + " db and cache state; from Prometheus with the monitoring profile, else from the replicas.")
final class TopCommand extends StackCommand {

    enum Source {
        auto,
        prometheus,
        replicas
    }

    static final Duration MIN_INTERVAL = Duration.ofMillis(500);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(1);

    @Option(
            names = "--interval",
            paramLabel = "D",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "Time between refreshes, 500ms to 1m (default: 2s).")
    Duration interval;

    @Option(
            names = {"-n", "--count"},
            paramLabel = "N",
            description = "Refreshes to show, then exit (default: until Ctrl-C; with -o json: 1, one JSON line each).")
    Integer count;

    @Option(
            names = "--source",
            paramLabel = "S",
            defaultValue = "auto",
            description = "Where the figures come from: ${COMPLETION-CANDIDATES} (default: auto, Prometheus when"
                    + " the monitoring profile is on and answers, else each replica's /metrics).")
    Source source;

    @Override
    public Integer call() {
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--interval " + interval.toMillis() + "ms is out of range",
                    "give 500ms to 1m, e.g. --interval 2s");
        }
        if (count != null && count < 1) {
            throw new StackctlException(ExitCodes.USAGE, "--count must be 1 or more, got " + count, "e.g. -n 5");
        }
        int refreshes = count != null ? count : global.json() ? 1 : Integer.MAX_VALUE;
        try (Stack stack = openStack()) {
            stack.requireRunning();
            TopSource figures = source(stack);
            if (!figures.ratesAtFirstSample()) {
                figures.sample();
                Pause.sleep(interval, "top was interrupted", "run it again");
            }
            boolean terminal = System.console() != null && !global.json();
            for (int i = 0; i < refreshes; i++) {
                if (i > 0) {
                    Pause.sleep(interval, "top was interrupted", "run it again");
                }
                TopSample sample;
                try {
                    sample = figures.sample();
                } catch (StackctlException e) {
                    if (refreshes == 1) {
                        throw e;
                    }
                    // A live view outlasts a Prometheus restarting or a replica's blip: say so, try the next refresh.
                    err().println("warning: " + e.getMessage() + " (trying again in " + interval.toMillis() + " ms)");
                    err().flush();
                    continue;
                }
                if (global.json()) {
                    output().jsonLine(TopTable.document(sample));
                } else {
                    if (terminal) {
                        out().print("\033[H\033[2J");
                    } else if (i > 0) {
                        out().println();
                    }
                    TopTable.print(sample, interval, output());
                }
            }
        }
        return ExitCodes.OK;
    }

    private TopSource source(Stack stack) {
        EnvFile env = EnvFile.load(stack.files().envFile());
        boolean profile = Monitoring.enabled(stack.environment(), env);
        var prometheus = new PrometheusQueries(
                stack, Monitoring.prometheusUrl(stack.environment(), env), new HttpProbe(Duration.ofSeconds(2)));
        return switch (source) {
            case replicas -> new ReplicaScrapes(stack);
            case prometheus -> {
                if (profile && stack.swarm()) {
                    throw new StackctlException(
                            ExitCodes.USAGE,
                            "on Swarm the monitoring profile's Prometheus publishes no port for this host to read",
                            "use --source replicas (or leave --source out); docs/monitoring.md says how to reach it");
                }
                if (!profile || !prometheus.ready()) {
                    throw new StackctlException(
                            ExitCodes.PRECONDITION,
                            profile
                                    ? "the monitoring profile is on but Prometheus does not answer"
                                    : "the monitoring profile is off, so there is no Prometheus to read",
                            profile
                                    ? "see bin/stackctl logs prometheus, or use --source replicas"
                                    : "turn it on with bin/stackctl up --monitoring, or use --source replicas");
                }
                yield prometheus;
            }
            case auto -> profile && !stack.swarm() && prometheus.ready() ? prometheus : new ReplicaScrapes(stack);
        };
    }
}
