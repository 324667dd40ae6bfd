package io.stackctl.cli;

import io.stackctl.backup.InterruptedRestore;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.Deployer;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.process.ProcessRunner;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.OfflineImages;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", description = "Provision the stack, then wait until every service is healthy and /ready answers.")
final class UpCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    static final int DEFAULT_REPLICAS = 3;

    @Option(names = "--replicas", paramLabel = "N", description = "App replicas (default: the running count, else 3).")
    Integer replicas;

    @Option(names = "--offline", description = "Build and use the air-gapped stand-in images (no registry needed).")
    boolean offline;

    @Option(
            names = "--no-build",
            description = "Use the app image as it is instead of rebuilding it from taskmanager-app/target"
                    + " (the default rebuild takes about a second when nothing changed).")
    boolean noBuild;

    @Mixin
    RolloutOptions rollout;

    enum Target {
        compose,
        swarm
    }

    @Option(
            names = "--target",
            paramLabel = "T",
            description = "compose (one host; the default for a new stack) or swarm (docker stack deploy on the Swarm"
                    + " this engine manages). Default: where the stack already runs.")
    Target target;

    @Option(
            names = "--wait-timeout",
            paramLabel = "D",
            defaultValue = "PT3M",
            converter = DurationConverter.class,
            description = "How long to wait for health, e.g. 90s, 5m (default: 3m).")
    Duration waitTimeout;

    @Override
    public Integer call() {
        if (replicas != null) {
            Scaler.validate(replicas);
        }
        StackFiles files = files();
        var weak = EnvFile.load(files.envFile()).weakSecrets();
        if (!weak.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "refusing to start with weak secrets: " + String.join("; ", weak),
                    EnvFile.weakSecretsHint(files.envFile()));
        }
        try (Stack stack = openStack()) {
            if (onSwarm(stack)) {
                return upOnSwarm(stack, files);
            }
            // Only after the engine answered: a failed precondition must leave no file behind.
            prepareEnvFile(files, stack);
            long start = System.nanoTime();
            int running = stack.replicas().size();
            var desired = stack.desiredReplicas();
            int target = replicas != null ? replicas : desired.get().orElse(running > 0 ? running : DEFAULT_REPLICAS);
            if (replicas == null && running > 0 && running != target) {
                progress(
                        "app: %d running, %d configured; restoring %d (bin/stackctl scale app=N changes the count)",
                        running, target, target);
            }
            desired.set(target);
            buildImages(stack, noBuild);
            stack.ensureUpstreamFile();
            var deployer = new Deployer(stack, err());
            if (running == 0) {
                progress(
                        "starting project %s with %d app replicas (%s)",
                        stack.project(), target, stack.compose().flavour().describe());
                startFresh(stack, target);
            } else {
                updateRunning(stack, deployer, running, target);
            }
            var healthy = stack.waiter(err())
                    .awaitHealthy(
                            Map.of(Stack.DB, 1, Stack.CACHE, 1, Stack.APP, target, Stack.NGINX, 1, Stack.AGENT, 1),
                            ServiceContainer::running,
                            waitTimeout);
            stack.route(
                    healthy.stream().filter(c -> c.service().equals(Stack.APP)).toList());
            finish(stack, start, "", () -> deployer.recordDeclaredIfNew("up"));
        }
        return ExitCodes.OK;
    }

    /** Both targets end alike: no maintenance answer left, nginx answers /ready, then the status. */
    private void finish(Stack stack, long start, String where, Runnable whenReady) {
        new InterruptedRestore(stack, err()).finish();
        if (stack.maintenance().active()) {
            progress("turning off nginx's maintenance answer, left by an interrupted restore");
            stack.maintenance().off(stack.runningNginx());
        }
        var ready = awaitReadyThroughNginx(stack);
        whenReady.run();
        progress(
                "stack %s is up%s in %.1fs: %s answers /ready in %.0fms",
                stack.project(),
                where,
                (System.nanoTime() - start) / 1e9,
                stack.settings().baseUrl(),
                ready.millis());
        new StatusCommand.Report(stack).print(output(), global.json());
    }

    /** Where this up goes: --target, else where the stack runs; a stack is never on both. */
    private boolean onSwarm(Stack stack) {
        boolean running = !stack.containers().isEmpty();
        if (target == Target.swarm && running && !stack.swarm()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the stack '" + stack.project() + "' runs under compose on this host, not on Swarm",
                    "move it: bin/stackctl backup, bin/stackctl down, bin/stackctl up --target swarm, bin/stackctl"
                            + " restore latest");
        }
        if (target == Target.compose && stack.swarm()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the stack '" + stack.project() + "' runs on Swarm, not under compose",
                    "keep --target swarm (or leave --target out), or move it: backup, down, up --target compose, restore");
        }
        return target == Target.swarm || stack.swarm();
    }

    /**
     * The same stack through docker stack deploy: Swarm creates what is missing and rolls what changed (start-first,
     * rolled back by Swarm when a new task fails), and this waits until every service is healthy and nginx answers.
     */
    private int upOnSwarm(Stack stack, StackFiles files) {
        var swarm = swarm(stack);
        swarm.requireManager();
        prepareEnvFile(files, stack);
        long start = System.nanoTime();
        int count = replicas != null ? replicas : swarm.desiredReplicas().orElse(DEFAULT_REPLICAS);
        buildImages(stack, noBuild);
        progress("deploying stack %s on Swarm with %d app tasks", stack.project(), count);
        swarm.deploy(count);
        stack.forgetTarget();
        stack.desiredReplicas().set(count);
        finish(stack, start, " on Swarm", () -> {});
        return ExitCodes.OK;
    }

    /**
     * compose up, saying first which images it must pull; a pull that fails (no registry answers) becomes one line
     * and the hint that fixes it, instead of compose's wall of text.
     */
    private void startFresh(Stack stack, int target) {
        var missing = DoctorCommand.images(environment(), EnvFile.load(files().envFile()), stack.settings()).stream()
                .filter(image -> !stack.engine().imageExists(image))
                .toList();
        if (!missing.isEmpty()) {
            progress("pulling %s (not on this host)", String.join(", ", missing));
        }
        try {
            stack.compose().up(target);
        } catch (StackctlException e) {
            var still = missing.stream()
                    .filter(image -> !stack.engine().imageExists(image))
                    .toList();
            if (still.isEmpty()) {
                throw e;
            }
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot pull " + String.join(", ", still) + ": they are not on this host and no image registry"
                            + " answered (" + lastLine(e.getMessage()) + ")",
                    OFFLINE_HINT,
                    e);
        }
    }

    /**
     * A running stack changes with no gap: compose recreating every changed replica at once would cut off clients
     * (Jetty 503s, nginx 502s on addresses that are gone). So the other services converge first, then the app
     * replicas roll over to what is declared, start-first, and the count changes through the scaler.
     */
    private void updateRunning(Stack stack, Deployer deployer, int running, int target) {
        progress(
                "updating project %s: %d -> %d app replicas (%s)",
                stack.project(), running, target, stack.compose().flavour().describe());
        if (running > target) {
            new Scaler(stack, err()).scaleTo(target, waitTimeout);
        }
        stack.compose().upServices(List.of(Stack.DB, Stack.CACHE, Stack.AGENT, Stack.NGINX));
        var result = deployer.deployDeclared(rollout.options(false));
        if (result.changed()) {
            progress("r%d is active: %s", result.release().id(), result.watch());
        }
        if (stack.replicas().size() < target) {
            new Scaler(stack, err()).scaleTo(target, waitTimeout);
        }
    }

    private void prepareEnvFile(StackFiles files, Stack stack) {
        EnvFile env = EnvFile.load(files.envFile());
        boolean created = !env.exists();
        var added = env.ensureSecrets();
        if (added.contains(EnvFile.DB_SECRET) && stack.engine().volumeExists(stack.project(), Stack.DB_VOLUME)) {
            // PostgreSQL keeps the password it was created with in its volume: a new one would lock the app out.
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    files.envFile() + " has no " + EnvFile.DB_SECRET + ", but project '" + stack.project()
                            + "' already has a database volume, created with a password this file no longer holds;"
                            + " a new random one would lock the app out of its data",
                    "put back the file from your backup; the settings of each release, this password among them, are"
                            + " kept in " + files.root().relativize(files.releasesDir()) + "/" + stack.project()
                            + "/r<ID>.env (the newest is the one running). Only for a database you mean to lose:"
                            + " bin/stackctl down --volumes");
        }
        boolean changed = !added.isEmpty();
        if (offline) {
            progress("building air-gapped images (compose/images/build.sh)");
            var images = OfflineImages.build(
                    new ProcessRunner(environment(), files.root()), files, line -> progress("  %s", line));
            images.forEach(env::put);
            changed = changed || !images.isEmpty();
        }
        if (changed) {
            env.save();
            progress(
                    created
                            ? "created %s with random secrets (keep it private)"
                            : "updated %s" + (added.isEmpty() ? "" : " (added " + String.join(", ", added) + ")"),
                    files.envFile());
        }
    }

    private io.stackctl.health.HttpProbe.Result awaitReadyThroughNginx(Stack stack) {
        long deadline = System.nanoTime() + waitTimeout.toNanos();
        io.stackctl.health.HttpProbe.Result last;
        do {
            last = stack.throughNginx("/ready");
            if (last.ok()) {
                return last;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new StackctlException(
                ExitCodes.CHECK_FAILED,
                "every container is healthy but " + stack.settings().baseUrl() + "/ready answers " + last.summary(),
                "check that nothing else holds that port (stackctl doctor) and see stackctl logs nginx");
    }
}
