package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import io.stackctl.targets.Provisioner;
import io.stackctl.targets.Targets;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", description = "Provision the stack, then wait until every service is healthy and /ready answers.")
final class UpCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Option(names = "--replicas", paramLabel = "N", description = "App replicas (default: the running count, else 3).")
    Integer replicas;

    @Option(names = "--offline", description = "Build and use the air-gapped stand-in images (no registry needed).")
    boolean offline;

    @Option(
            names = "--no-build",
            description = "Use the app image as it is instead of rebuilding it from taskmanager-app/target"
                    + " (the default rebuild takes about a second when nothing changed).")
    boolean noBuild;

    @Option(
            names = "--monitoring",
            negatable = true,
            description = "Also run Prometheus with the stack's alert rules and the PostgreSQL and Redis exporters"
                    + " (UI and API on 127.0.0.1:9090); --no-monitoring takes them away. Kept in compose/.env for"
                    + " every later command (default: as it is).")
    Boolean monitoring;

    @Option(
            names = "--standby",
            negatable = true,
            description = "Also run db-standby, a PostgreSQL standby streaming from the primary, ready for"
                    + " stackctl failover (REPLICAS_SYNC in compose/.env: on, each commit waits for it; off, none"
                    + " does); --no-standby removes it and its data. Kept in compose/.env (default: as it is).")
    Boolean standby;

    @Mixin
    RolloutOptions rollout;

    @Option(
            names = "--target",
            paramLabel = "T",
            description = "compose (one host; the default for a new stack) or swarm (docker stack deploy on the Swarm"
                    + " this engine manages). Default: where the stack already runs.")
    Targets.Kind target;

    @Option(
            names = "--wait-timeout",
            paramLabel = "D",
            defaultValue = "PT3M",
            converter = DurationConverter.class,
            description = "How long to wait for health, e.g. 90s, 5m (default: 3m).")
    Duration waitTimeout;

    @Override
    public Integer call() {
        // A usage error before the engine is asked anything: it is the same answer with the engine down.
        Optional.ofNullable(replicas).ifPresent(Scaler::validate);
        Provisioner.refuseWeakSecrets(files());
        try (Stack stack = openStack()) {
            long start = System.nanoTime();
            var chosen = Targets.forUp(stack, Optional.ofNullable(target), err());
            var ready = new Provisioner(chosen, err())
                    .up(new Provisioner.Request(
                            Optional.ofNullable(replicas),
                            offline,
                            noBuild,
                            rollout.options(false),
                            waitTimeout,
                            Optional.ofNullable(monitoring),
                            Optional.ofNullable(standby)));
            progress(
                    "stack %s is up on %s in %.1fs: %s answers /ready in %.0fms",
                    stack.project(),
                    chosen.name(),
                    (System.nanoTime() - start) / 1e9,
                    stack.settings().baseUrl(),
                    ready.millis());
            new StatusCommand.Report(chosen).print(output(), global.json());
        }
        return ExitCodes.OK;
    }
}
