package io.stackctl.cli;

import io.stackctl.deploy.RollingDeploy;
import io.stackctl.stack.Stack;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a rollout proceeds (deploy, rollback, and up when the app changed): batch size and its two gates. */
final class RolloutOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    int batch = 1;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1",
            description = "Replicas replaced at a time (default: ${DEFAULT-VALUE}).")
    void batch(int value) {
        if (value < 1 || value > Stack.MAX_REPLICAS) {
            throw new ParameterException(
                    mixee.commandLine(), "--batch must be from 1 to " + Stack.MAX_REPLICAS + ", got " + value);
        }
        batch = value;
    }

    @Option(
            names = "--ready-timeout",
            paramLabel = "D",
            defaultValue = "PT2M",
            converter = DurationConverter.class,
            description = "How long a new replica may take to answer /ready before the rollout is rolled back"
                    + " (default: 2m).")
    Duration readyTimeout;

    double maxErrorRate = 0.01;

    @Option(
            names = "--max-error-rate",
            paramLabel = "PERCENT",
            defaultValue = "1",
            description = "Roll back when more than this share of the watch requests through nginx fail (at least 3;"
                    + " default: ${DEFAULT-VALUE}%%).")
    void maxErrorRate(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new ParameterException(mixee.commandLine(), "--max-error-rate must be from 0 to 100, got " + percent);
        }
        maxErrorRate = percent / 100;
    }

    enum Strategy {
        rolling,
        bluegreen
    }

    @Option(
            names = "--strategy",
            paramLabel = "S",
            defaultValue = "rolling",
            description = "rolling (--batch at a time) or bluegreen (all new replicas beside the old ones, one switch;"
                    + " needs room for twice the replicas). Default: ${DEFAULT-VALUE}.")
    Strategy strategy;

    RollingDeploy.Options options(boolean force) {
        return new RollingDeploy.Options(batch, readyTimeout, maxErrorRate, 3, force, strategy == Strategy.bluegreen);
    }
}
