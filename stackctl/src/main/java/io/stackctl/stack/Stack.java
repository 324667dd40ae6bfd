package io.stackctl.stack;

import io.stackctl.client.ApiAccess;
import io.stackctl.compose.Compose;
import io.stackctl.compose.ComposeCli;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.ExecProbe;
import io.stackctl.health.HttpProbe;
import io.stackctl.health.ReplicaHealth;
import io.stackctl.nginx.Maintenance;
import io.stackctl.process.ProcessRunner;
import io.stackctl.upstream.UpstreamSync;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The running stack of one compose project: its containers, its nginx upstream, its probes. Provisioning
 * goes through compose; inspection and reloads go through the engine.
 */
public final class Stack implements AutoCloseable {

    public static final String APP = UpstreamSync.APP;
    public static final String NGINX = UpstreamSync.NGINX;
    public static final String DB = "db";
    /** compose.yaml's volume for PostgreSQL's data. */
    public static final String DB_VOLUME = "db-data";

    public static final String CACHE = "cache";
    public static final String AGENT = "upstream-agent";
    /** The database, as compose.yaml creates it. */
    public static final String DATABASE = "taskmanager";
    /** stackctl's own role (compose/db/ensure-roles.sh): dumps, restores and checks, over the container's socket. */
    public static final String OPERATIONS_USER = "stackctl_ops";
    /** The app's role, owner of its schema: a restore makes what it restores as this role. */
    public static final String APP_DATABASE_USER = "taskmanager_app";

    public static final int MAX_REPLICAS = 20;
    static final Duration DRAIN_GRACE = Duration.ofSeconds(25);

    private final String project;
    private final StackFiles files;
    private final Engine engine;
    private final Compose compose;
    private final ProcessRunner runner;
    private final Map<String, String> environment;
    private StackSettings settings;
    private final UpstreamSync upstream;
    private StackLock lock;
    private final HttpProbe probe = new HttpProbe();
    private final Function<ServiceContainer, HttpProbe.Result> readiness;
    /** When each container's own healthcheck was last run early (see readyEarly). */
    private final Map<String, EarlyCheck> earlyChecks = new java.util.concurrent.ConcurrentHashMap<>();

    private static final Duration EARLY_CHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration EARLY_CHECK_TIMEOUT = Duration.ofSeconds(10);
    private Boolean swarm;

    public Stack(
            String project,
            StackFiles files,
            Engine engine,
            Compose compose,
            ProcessRunner runner,
            Map<String, String> environment) {
        this(project, files, engine, compose, runner, environment, Stack::askReady);
    }

    /** @param readiness how a new replica is asked {@code /ready} directly (tests stand in for the network) */
    public Stack(
            String project,
            StackFiles files,
            Engine engine,
            Compose compose,
            ProcessRunner runner,
            Map<String, String> environment,
            Function<ServiceContainer, HttpProbe.Result> readiness) {
        this.readiness = readiness;
        this.project = project;
        this.files = files;
        this.engine = engine;
        this.compose = compose;
        this.runner = runner;
        this.environment = environment;
        reloadSettings();
        this.upstream = new UpstreamSync(engine, project, files.upstreamDir());
    }

    /** Connects to the engine and finds compose; both missing pieces are exit 3 with a hint. */
    public static Stack open(String project, StackFiles files, Map<String, String> environment) {
        return open(project, files, environment, null, false);
    }

    /**
     * @param trace where each external command is printed before it runs (stackctl -v), or null
     * @param plain no ANSI colours from compose (--no-color, NO_COLOR)
     */
    public static Stack open(
            String project, StackFiles files, Map<String, String> environment, PrintWriter trace, boolean plain) {
        Engine engine = Engine.connect(environment);
        var runner = new ProcessRunner(environment, files.root(), trace);
        var compose = new ComposeCli(
                        runner,
                        ComposeCli.detect(runner, files.stateDir().resolve("compose-cli")),
                        project,
                        files.composeFiles(
                                OffsiteRepository.configured(environment, EnvFile.load(files.envFile())),
                                DbVolume.configured(environment, EnvFile.load(files.envFile()))),
                        () -> profiles(environment, EnvFile.load(files.envFile())))
                .plain(plain);
        return new Stack(project, files, engine, compose, runner, environment);
    }

    /** compose's profiles that compose/.env turns on: every compose command carries them. */
    static List<String> profiles(Map<String, String> environment, EnvFile envFile) {
        var profiles = new ArrayList<String>();
        if (Standby.enabled(environment, envFile)) {
            profiles.add(Standby.PROFILE);
        }
        if (Monitoring.enabled(environment, envFile)) {
            profiles.add(Monitoring.PROFILE);
        }
        return List.copyOf(profiles);
    }

    public String project() {
        return project;
    }

    /** The shell environment stackctl runs in, which overrides compose/.env as it does for compose. */
    public Map<String, String> environment() {
        return environment;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * True when the project runs as a Swarm stack ({@code up --target swarm}): Swarm places, restarts and rolls the
     * tasks, Docker's DNS is nginx's upstream, and the replicas' overlay addresses are not reachable from this host.
     */
    public boolean swarm() {
        if (swarm == null) {
            swarm = !engine.stackServices(project).isEmpty();
        }
        return swarm;
    }

    /** The id of the app image the settings name (what deploy and Swarm roll out); exit 3 when it is not built. */
    public String appImageId() {
        String image = settings.appImage();
        return engine.imageId(image)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the app image " + image + " is not in the engine",
                        "build it: bin/stackctl images build (or bin/stackctl up)"));
    }

    /** After the stack moved onto or off Swarm, look again. */
    public void forgetTarget() {
        swarm = null;
    }

    public Compose compose() {
        return compose;
    }

    /** Runs the orchestrator's own CLI (docker stack, docker service) in the project's directory. */
    public ProcessRunner runner() {
        return runner;
    }

    public StackSettings settings() {
        return settings;
    }

    /** After compose/.env changed (up writes secrets and the air-gapped images into it), read the settings again. */
    public void reloadSettings() {
        settings = StackSettings.resolve(environment, EnvFile.load(files.envFile()));
    }

    /**
     * The network a one-off container of the db image joins to reach pgBackRest's repositories: the project's
     * offsite network (compose/offsite.yaml) when compose/.env names an off-host one, else none (the local repository
     * is a volume).
     */
    public String repositoryNetwork() {
        return OffsiteRepository.network(
                project, OffsiteRepository.configured(environment, EnvFile.load(files.envFile())));
    }

    public StackFiles files() {
        return files;
    }

    /** The project's containers; on Swarm only the running ones (Swarm keeps exited tasks' containers as history). */
    public List<ServiceContainer> containers() {
        var all = engine.containers(project);
        return swarm() ? all.stream().filter(ServiceContainer::running).toList() : all;
    }

    public List<ServiceContainer> replicas() {
        return engine.containers(project, APP).stream()
                .filter(ServiceContainer::running)
                .toList();
    }

    /** Exit 3 unless the stack has running containers. */
    public List<ServiceContainer> requireRunning() {
        var containers = containers();
        if (containers.stream().noneMatch(ServiceContainer::running)) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the stack '" + project + "' is not running",
                    "start it with: bin/stackctl up (add --offline on a host without an image registry)");
        }
        return containers;
    }

    /** Which db node is the primary (compose/state/db/primary). */
    public PrimaryRecord primaryRecord() {
        return new PrimaryRecord(files);
    }

    /**
     * The running container of the db node the primary record names: the one to back up, restore, dump and drill;
     * else exit 3. Without a standby that is always db.
     */
    public ServiceContainer requirePrimaryDb() {
        String primary = primaryRecord().primary();
        return engine.containers(project, primary).stream()
                .filter(ServiceContainer::running)
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the primary database node " + primary + " of stack '" + project + "' is not running",
                        primary.equals(DB)
                                ? "start the stack with: bin/stackctl up"
                                : "start it with bin/stackctl up, or make the other node the primary: bin/stackctl"
                                        + " failover --to " + DB));
    }

    /** The running container of a single-instance service, else exit 3. */
    public ServiceContainer requireService(String service) {
        return engine.containers(project, service).stream()
                .filter(ServiceContainer::running)
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the " + service + " service of stack '" + project + "' is not running",
                        "start the stack with: bin/stackctl up"));
    }

    public DesiredReplicas desiredReplicas() {
        return new DesiredReplicas(files.stateDir(), project);
    }

    /** nginx's maintenance answer (503 with Retry-After), on while the database is restored. */
    public Maintenance maintenance() {
        return new Maintenance(engine, files.upstreamDir());
    }

    public List<ServiceContainer> runningNginx() {
        return upstream.runningNginx();
    }

    /** A POST to one ready replica directly, bypassing nginx (which may be answering maintenance). */
    public HttpProbe.Result postToAReplica(String path) {
        HttpProbe.Result last = new HttpProbe.Result(path, 0, 0, "no running replica");
        for (ServiceContainer replica : reachableReplicas()) {
            last = operatorCall(replica, "POST", path);
            if (last.ok()) {
                return last;
            }
        }
        return last;
    }

    /**
     * One request to a replica itself, bypassing nginx: to its frontend address, or on Swarm (overlay addresses are
     * not reachable from this host) from inside its container.
     */
    private HttpProbe.Result askReplica(ServiceContainer replica, String method, String path) {
        if (swarm()) {
            return ExecProbe.request(engine, replica.id(), method, path);
        }
        String url = ReplicaHealth.url(replica.ipOn("frontend").orElse(""), path);
        return method.equals("POST") ? probe.post(url) : probe.get(url);
    }

    /** As {@link #askReplica}, for an operator route: with the stack's operator token, which every one wants. */
    private HttpProbe.Result operatorCall(ServiceContainer replica, String method, String path) {
        return operatorCall(replica, method, path, opsToken());
    }

    /** On Swarm the token is the one the task's own environment holds, which is what the replica checks against. */
    HttpProbe.Result operatorCall(ServiceContainer replica, String method, String path, String token) {
        if (swarm()) {
            return ExecProbe.operatorRequest(engine, replica.id(), method, path);
        }
        String url = ReplicaHealth.url(replica.ipOn("frontend").orElse(""), path);
        return probe.send(method, url, token);
    }

    /** A POST to an operator route of one replica itself, waiting up to {@code timeout} (compose: its address). */
    public HttpProbe.Result operatorPost(ServiceContainer replica, String path, Duration timeout) {
        if (swarm()) {
            return ExecProbe.operatorRequest(engine, replica.id(), "POST", path);
        }
        return new HttpProbe(timeout)
                .send("POST", ReplicaHealth.url(replica.ipOn("frontend").orElse(""), path), opsToken());
    }

    /** An operator route's answer from one replica itself, with its body: at its address, or on Swarm from inside. */
    public HttpProbe.Answer askReplicaOperator(ServiceContainer replica, String path) {
        if (swarm()) {
            return ExecProbe.operatorAnswer(engine, replica.id(), path);
        }
        return probe.fetch(ReplicaHealth.url(replica.ipOn("frontend").orElse(""), path), opsToken());
    }

    /** One replica's own {@code /ready}, asked directly, not through nginx: is this one ready to take traffic? */
    public HttpProbe.Result readyDirect(ServiceContainer replica) {
        return readiness.apply(replica);
    }

    private static final HttpProbe READY_PROBE = new HttpProbe(Duration.ofSeconds(1));

    private static HttpProbe.Result askReady(ServiceContainer replica) {
        return READY_PROBE.get(ReplicaHealth.url(frontendIp(replica), "/ready"));
    }

    /** The database's max_connections, asked live, against each replica's DB_POOL_SIZE of compose/.env. */
    public ConnectionBudget connectionBudget() {
        var db = requirePrimaryDb();
        var answer = engine.exec(
                db.id(),
                Duration.ofSeconds(10),
                "psql",
                "-X",
                "-A",
                "-t",
                "-U",
                OPERATIONS_USER,
                "-d",
                DATABASE,
                "-c",
                "SHOW max_connections");
        int maxConnections;
        try {
            maxConnections = Integer.parseInt(answer.output().strip());
        } catch (NumberFormatException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot read max_connections from the database: "
                            + answer.output().strip(),
                    "check the database with: bin/stackctl health");
        }
        return new ConnectionBudget(maxConnections, settings.dbPoolSize());
    }

    /** compose/.env's OPS_TOKEN; exit 3 when the file predates it. */
    public String opsToken() {
        return EnvFile.load(files.envFile())
                .get(EnvFile.OPS_SECRET)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        files.envFile() + " has no " + EnvFile.OPS_SECRET + ", stackctl's credential for the API",
                        "run bin/stackctl up: it adds the missing secrets and rolls the replicas onto them"));
    }

    /** The addresses nginx currently routes to; on Swarm, what tasks.app answers: the healthy replicas. */
    public List<String> upstreamMembers() {
        if (swarm()) {
            return replicas().stream()
                    .filter(ServiceContainer::healthy)
                    .map(r -> r.ipOn("frontend").orElse(""))
                    .filter(ip -> !ip.isEmpty())
                    .toList();
        }
        return upstream.members();
    }

    /** Points nginx at exactly {@code members} and reloads it (gracefully); Swarm's DNS does that by itself. */
    public void route(List<ServiceContainer> members) {
        if (!swarm()) {
            upstream.route(members);
        }
    }

    /**
     * Puts back in rotation replicas a killed command left marked out of it (drained or held), and re-renders the
     * upstream to the healthy ones.
     */
    public void returnToRotation(List<ServiceContainer> replicas) {
        if (!swarm()) {
            upstream.unmark(replicas);
            reconcileUpstream();
        }
    }

    /**
     * Re-renders the upstream to the healthy replicas that are not draining when it has drifted from them (the
     * upstream agent does the same on its own; this covers a stack started without it). True when it re-rendered.
     */
    public boolean reconcileUpstream() {
        return !swarm() && !upstream.reconcile(ServiceContainer::healthy).isEmpty();
    }

    /** See {@link UpstreamSync#drift}. */
    public static List<String> upstreamDrift(List<ServiceContainer> ready, List<String> members) {
        return UpstreamSync.drift(ready, members);
    }

    /** Writes the default upstream (all replicas by DNS) unless one is already rendered. */
    public void ensureUpstreamFile() {
        upstream.ensureFile();
    }

    public static String frontendIp(ServiceContainer container) {
        return UpstreamSync.frontendIp(container);
    }

    public List<ReplicaHealth> replicaHealth() {
        var members = upstreamMembers();
        List<ReplicaHealth> report = new ArrayList<>();
        for (ServiceContainer replica :
                containers().stream().filter(c -> c.service().equals(APP)).toList()) {
            String ip = replica.ipOn("frontend").orElse("");
            if (!replica.running() || (ip.isEmpty() && !swarm())) {
                var none = new HttpProbe.Result("", 0, 0, "not running");
                report.add(new ReplicaHealth(replica.name(), null, false, none, none, none));
            } else {
                report.add(new ReplicaHealth(
                        replica.name(),
                        ip,
                        members.contains(ip),
                        askReplica(replica, "GET", "/live"),
                        askReplica(replica, "GET", "/ready"),
                        askReplica(replica, "GET", "/health")));
            }
        }
        return report;
    }

    /** What is unhealthy right now; empty when every container, replica probe and nginx's /ready are fine. */
    public List<String> problems() {
        var containers = requireRunning();
        return problems(
                containers, replicaHealth(), throughNginx("/ready"), upstreamMembers(), this::startingButPasses);
    }

    /** Exit 3 unless {@link #problems()} is empty; {@code why} says what an unhealthy stack would spoil. */
    public void requireHealthy(String why, PrintWriter progress) {
        // A replica that restarted on a new address is healthy but unreachable through nginx: heal that first.
        if (reconcileUpstream()) {
            progress.println("  re-rendered nginx's upstream: a replica had come back on a new address");
            progress.flush();
        }
        var problems = problems();
        if (!problems.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the stack is unhealthy, so " + why + ": " + String.join("; ", problems),
                    "bring it back first (bin/stackctl health, bin/stackctl up), then run this again");
        }
    }

    public static List<String> problems(
            List<ServiceContainer> containers,
            List<ReplicaHealth> replicas,
            HttpProbe.Result ready,
            List<String> upstreamMembers,
            Predicate<ServiceContainer> startingButPasses) {
        List<String> problems = new ArrayList<>();
        // A replica the engine still calls "starting" serves once it answers /ready itself (see serving): scale and up
        // return then, and the next command must not find the stack unhealthy for the rest of the engine's interval.
        Set<String> readyNow = replicas.stream()
                .filter(r -> r.ready().ok())
                .map(ReplicaHealth::name)
                .collect(java.util.stream.Collectors.toSet());
        Predicate<ServiceContainer> serves = c -> c.healthy()
                || (c.service().equals(APP) && c.starting() && readyNow.contains(c.name()))
                || startingButPasses.test(c);
        containers.stream().filter(serves.negate()).forEach(c -> problems.add(c.name() + " is " + c.healthText()));
        replicas.stream()
                .filter(r -> !r.ok())
                .forEach(r -> problems.add(r.name() + " probes: live "
                        + r.live().summary() + ", ready " + r.ready().summary()));
        if (!ready.ok()) {
            problems.add("nginx /ready: " + ready.summary());
        }
        var readyReplicas = containers.stream()
                .filter(c -> c.service().equals(APP) && serves.test(c))
                .toList();
        problems.addAll(upstreamDrift(readyReplicas, upstreamMembers));
        return problems;
    }

    /**
     * A replica serves: healthy to the engine, or still "starting" to it (its first check comes a whole interval after
     * the start) and answering {@code /ready} when asked directly, which is what that check asks.
     */
    public boolean serving(ServiceContainer replica) {
        return replica.healthy() || readyEarly(replica);
    }

    /**
     * What the engine's next check would say of a container it calls "starting", asked now: a replica's {@code /ready}
     * over HTTP; another service's own healthcheck run by exec, at most once a second a container (an exec costs the
     * host about 0.2 s of CPU; the engine's first check comes a whole interval after the start: a recreated agent was
     * healthy to it only at 10 s). Swarm runs its own gates.
     */
    private boolean readyEarly(ServiceContainer container) {
        if (!container.starting() || swarm()) {
            return false;
        }
        if (container.service().equals(APP)) {
            return readyDirect(container).ok();
        }
        long now = System.nanoTime();
        EarlyCheck last = earlyChecks.get(container.id());
        if (last != null && now - last.at() < EARLY_CHECK_EVERY.toNanos()) {
            return last.passed();
        }
        boolean passed;
        try {
            var command = engine.healthcheckCommand(container.id());
            passed = !command.isEmpty()
                    && engine.exec(container.id(), EARLY_CHECK_TIMEOUT, command.toArray(String[]::new))
                                    .exitCode()
                            == 0;
        } catch (RuntimeException e) {
            passed = false; // restarting or gone between the listing and the exec: the engine's own check decides
        }
        earlyChecks.put(container.id(), new EarlyCheck(System.nanoTime(), passed));
        return passed;
    }

    private record EarlyCheck(long at, boolean passed) {}

    /**
     * A service other than the app that the engine still calls "starting" passes its own healthcheck run now (the
     * app's replicas are asked {@code /ready} by {@link #replicaHealth}): what {@link #problems} accepts, so the command
     * after an {@code up} that recreated the agent does not find the stack unhealthy for the rest of an interval.
     */
    public boolean startingButPasses(ServiceContainer container) {
        return !container.service().equals(APP) && readyEarly(container);
    }

    /** How stackctl calls the API through nginx, as the admin account: see {@link OperatorAccess}. */
    public ApiAccess api() {
        return OperatorAccess.of(this);
    }

    /** The running replicas a direct call can reach: on compose those with a frontend address. */
    List<ServiceContainer> reachableReplicas() {
        return replicas().stream()
                .filter(r -> swarm() || r.ipOn("frontend").isPresent())
                .toList();
    }

    public HttpProbe.Result throughNginx(String path) {
        return probe.get(settings.baseUrl() + path);
    }

    /** Keeps ready replicas out of rotation (blue/green's waiting set). */
    public void hold(List<ServiceContainer> replicas) {
        upstream.hold(replicas);
    }

    /** Switches nginx to {@code serving} in one reload, then drains and stops {@code old}. */
    public void switchTo(List<ServiceContainer> serving, List<ServiceContainer> old, Duration drain) {
        upstream.switchTo(serving, old, drain, DRAIN_GRACE);
    }

    /** Removes {@code victims} from rotation, lets nginx's old workers finish, then stops them gracefully. */
    public void drainAndStop(List<ServiceContainer> keep, List<ServiceContainer> victims, Duration drain) {
        upstream.drainAndStop(keep, victims, drain, DRAIN_GRACE);
    }

    /** Takes {@code victims} out of rotation now; the drain's {@code finish()} lets them drain and stops them. */
    public UpstreamSync.Drain beginDrain(List<ServiceContainer> keep, List<ServiceContainer> victims, Duration drain) {
        return upstream.beginDrain(keep, victims, drain, DRAIN_GRACE);
    }

    public StackWaiter waiter(PrintWriter progress) {
        return new StackWaiter(engine, project, progress, this::readyEarly);
    }

    /** Holds the project's lock until this stack is closed; exit 3 naming the holder when another command has it. */
    public void lockFor(String holder) {
        if (lock == null) {
            lock = StackLock.acquire(files.locksDir(), project, holder);
        }
    }

    @Override
    public void close() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
        engine.close();
    }
}
