package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.Deployer;
import io.stackctl.stack.Stack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "deploy",
        description = "Roll the app replicas over to the current app image and compose/.env, a batch at a time,"
                + " start-first, with no dropped request; roll back on its own when a new replica never gets ready"
                + " or clients see errors.")
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
            buildImages(stack, noBuild);
            if (stack.swarm()) {
                deployOnSwarm(stack);
                return ExitCodes.OK;
            }
            var deployer = new Deployer(stack, err());
            var result = deployer.deployDeclared(rollout.options(force));
            ReleasesCommand.printResult(this, result);
        }
        return ExitCodes.OK;
    }

    /**
     * On Swarm the update is Swarm's own: one task at a time, start-first, rolled back by Swarm when a new task
     * fails. The rollout options of the compose deploy (batch, strategy, error watch) do not apply there.
     */
    private void deployOnSwarm(Stack stack) {
        if (rollout.strategy == RolloutOptions.Strategy.bluegreen) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--strategy " + rollout.strategy + " is for the compose target; Swarm rolls one task at a time",
                    "drop --strategy on a Swarm stack");
        }
        var swarm = swarm(stack);
        int replicas = swarm.desiredReplicas().orElse(stack.replicas().size());
        long start = System.nanoTime();
        if (force) {
            swarm.redeploy(replicas);
        } else {
            swarm.deploy(replicas);
        }
        output().line("%s: %d task(s) run the declared release (%.1fs)"
                .formatted(swarm.service(Stack.APP), replicas, (System.nanoTime() - start) / 1e9));
    }
}
