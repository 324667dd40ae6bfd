package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.stack.LocalImages;
import io.stackctl.stack.Stack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "deploy",
        description = "Roll the app replicas over to the current app image and compose/.env, a batch at a time,"
                + " start-first, with no dropped request; roll back on its own when a new replica never gets ready"
                + " or clients see errors. With the monitoring profile on, each batch is also judged by Prometheus: its"
                + " new replicas' success per route and p99 against the release before (DEPLOY_ANALYSIS_SECONDS,"
                + " DEPLOY_MIN_SUCCESS_PERCENT, DEPLOY_MAX_P99_MS, DEPLOY_MIN_REQUESTS in compose/.env;"
                + " DEPLOY_ANALYSIS=off to skip it).")
final class DeployCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Mixin
    RolloutOptions rollout;

    @Option(names = "--no-build", description = "Deploy the app image as it is instead of rebuilding it first.")
    boolean noBuild;

    @Option(names = "--force", description = "Replace every replica even when it already runs this release.")
    boolean force;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            requireReplicas(stack);
            LocalImages.build(stack, noBuild, err());
            print(target(stack).deploy(rollout.options(force).withMetricAnalysis()));
        }
        return ExitCodes.OK;
    }
}
