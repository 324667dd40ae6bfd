package io.stackctl.targets;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.Deployer;
import io.stackctl.deploy.Release;
import io.stackctl.deploy.RollingDeploy;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.prometheus.ScrapeGate;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.LocalImages;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stack as a compose project on this host: compose creates the services, stackctl rolls the app replicas
 * itself (start-first, a batch at a time, with a release history) and keeps nginx's upstream to the ready ones.
 */
final class ComposeTarget implements Target {

    private final Stack stack;
    private final PrintWriter progress;
    private final Deployer deployer;

    ComposeTarget(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
        this.deployer = new Deployer(stack, progress);
    }

    @Override
    public String name() {
        return "compose";
    }

    @Override
    public Stack stack() {
        return stack;
    }

    @Override
    public String nativeView() {
        return "compose: " + String.join(" ", stack.compose().base());
    }

    @Override
    public void requireUsable() {}

    @Override
    public int desiredReplicas() {
        int running = stack.replicas().size();
        return stack.desiredReplicas().get().orElse(running > 0 ? running : DEFAULT_REPLICAS);
    }

    @Override
    public void provision(int replicas, RollingDeploy.Options options, Duration waitTimeout) {
        stack.ensureUpstreamFile();
        int running = stack.replicas().size();
        if (running == 0) {
            say(
                    "starting project %s with %d app replicas (%s)",
                    stack.project(), replicas, stack.compose().flavour().describe());
            startFresh(replicas, waitTimeout);
        } else {
            updateRunning(running, replicas, options, waitTimeout);
        }
        var expected = new java.util.HashMap<>(dataServices());
        expected.putAll(Map.of(Stack.APP, replicas, Stack.NGINX, 1, Stack.AGENT, 1));
        var healthy = stack.waiter(progress).awaitHealthy(expected, ServiceContainer::running, waitTimeout);
        stack.route(healthy.stream()
                .filter(c -> c.service().equals(Stack.APP) && stack.serving(c))
                .toList());
        if (monitoring()) {
            new ScrapeGate(Monitoring.prometheus(stack), progress).await(waitTimeout);
        }
    }

    private boolean standby() {
        return Standby.enabled(stack.environment(), EnvFile.load(stack.files().envFile()));
    }

    private boolean monitoring() {
        return Monitoring.enabled(
                stack.environment(), EnvFile.load(stack.files().envFile()));
    }

    /** The services that hold data, one container each: db and cache, and db-standby while the standby is on. */
    private Map<String, Integer> dataServices() {
        var data = new java.util.HashMap<>(Map.of(Stack.DB, 1, Stack.CACHE, 1));
        if (standby()) {
            data.put(Standby.SERVICE, 1);
        }
        return data;
    }

    /** Waits for the containers of {@code services} alone, as many of each as given, healthy or ready now. */
    private void awaitServices(Map<String, Integer> services, Duration waitTimeout) {
        stack.waiter(progress)
                .awaitHealthy(services, c -> c.running() && services.containsKey(c.service()), waitTimeout);
    }

    @Override
    public void provisioned() {
        deployer.recordDeclaredIfNew("up");
    }

    /**
     * compose up in three steps, saying first which images it must pull; a pull that fails (no registry answers)
     * becomes one line and the hint that fixes it, instead of compose's wall of text.
     *
     * <p>The data services and the agent first, then the replicas once those answer, then nginx (and the monitoring
     * profile) once the replicas do: the order compose.yaml's depends_on gives, but each step waits for the services'
     * own checks (the waiter's early readiness), where compose waits for the engine's word, which comes on the health
     * check's interval (5 s) and so twice rounded up on the way from PostgreSQL to nginx.
     */
    private void startFresh(int replicas, Duration waitTimeout) {
        var missing = stack.settings().serviceImages().stream()
                .filter(image -> !stack.engine().imageExists(image))
                .toList();
        if (!missing.isEmpty()) {
            say("pulling %s (not on this host)", String.join(", ", missing));
        }
        try {
            var data = dataServices();
            var first = new java.util.ArrayList<>(data.keySet());
            first.add(Stack.AGENT);
            stack.compose().upServices(first);
            awaitServices(data, waitTimeout);
            stack.compose().startApp(replicas);
            awaitServices(Map.of(Stack.APP, replicas), waitTimeout);
            var rest = new java.util.ArrayList<>(List.of(Stack.NGINX));
            if (monitoring()) {
                rest.addAll(Monitoring.SERVICES);
            }
            stack.compose().upRemovingOrphans(rest);
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
                            + " answered (" + LocalImages.lastLine(e.getMessage()) + ")",
                    LocalImages.OFFLINE_HINT,
                    e);
        }
    }

    /**
     * A running stack changes with no gap: compose recreating every changed replica at once would cut off clients
     * (Jetty 503s, nginx 502s on addresses that are gone). So the other services converge first, then the app
     * replicas roll over to what is declared, start-first, and the count changes through the scaler.
     */
    private void updateRunning(int running, int replicas, RollingDeploy.Options options, Duration waitTimeout) {
        say(
                "updating project %s: %d -> %d app replicas (%s)",
                stack.project(), running, replicas, stack.compose().flavour().describe());
        if (running > replicas) {
            new Scaler(stack, progress).scaleTo(replicas, waitTimeout);
        }
        var data = dataServices();
        var services = new java.util.ArrayList<>(data.keySet());
        services.addAll(List.of(Stack.AGENT, Stack.NGINX));
        if (monitoring()) {
            services.addAll(Monitoring.SERVICES);
        }
        stack.compose().upServices(services);
        // A recreated db or cache is healthy only once its roles and users are in place (compose/db, compose/cache):
        // the rollout's own checks and the new replicas log in as those.
        awaitServices(data, waitTimeout);
        var result = deployer.deployDeclared(options);
        if (result.changed()) {
            say("r%d is active: %s", result.release().id(), result.watch());
        }
        if (stack.replicas().size() < replicas) {
            new Scaler(stack, progress).scaleTo(replicas, waitTimeout);
        }
    }

    @Override
    public Outcome deploy(RollingDeploy.Options options) {
        return outcome(deployer.deployDeclared(options));
    }

    @Override
    public Outcome rollback(Optional<Integer> release, RollingDeploy.Options options) {
        return outcome(deployer.rollbackTo(release, options));
    }

    private static Outcome outcome(Deployer.Result result) {
        Release release = result.release();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("changed", result.changed());
        document.put("release", release);
        document.put("replaced", result.replaced());
        document.put("watch", result.watch());
        if (!result.changed()) {
            return new Outcome(
                    "nothing to deploy: every replica already runs "
                            + (release == null ? "what compose/.env declares" : "r" + release.id()),
                    document);
        }
        return new Outcome(
                "r%d is active on %d replica(s) in %.1fs (image %s, config %s); %s"
                        .formatted(
                                release.id(),
                                result.replaced().size(),
                                release.durationMs() / 1000.0,
                                release.shortImage(),
                                release.shortConfig(),
                                result.watch()),
                document);
    }

    @Override
    public Scaler.Change scale(int replicas, Duration waitTimeout) {
        var change = new Scaler(stack, progress).scaleTo(replicas, waitTimeout);
        stack.desiredReplicas().set(replicas);
        return change;
    }

    @Override
    public void remove(boolean volumes) {
        stack.compose().down(volumes);
    }

    @Override
    public int logs(Optional<String> service, boolean follow, int tail) {
        return stack.compose().logs(service, follow, tail);
    }

    @Override
    public List<String> drills(List<String> asked) {
        return asked;
    }

    /** compose restarts a crashed container in place (restart: always): the same container. */
    @Override
    public Optional<ServiceContainer> successorOf(ServiceContainer crashed) {
        return stack.engine().containers(stack.project(), Stack.APP).stream()
                .filter(c -> c.id().equals(crashed.id()))
                .findFirst();
    }

    private void say(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
