package io.stackctl.swarm;

import com.github.dockerjava.api.model.ServiceUpdateState;
import com.github.dockerjava.api.model.ServiceUpdateStatus;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ReleaseImage;
import io.stackctl.process.ProcessRunner;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.OffsiteRepository;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The stack on Docker Swarm: {@code docker stack deploy} of the file {@link SwarmStackFile} renders, with its
 * secrets, node labels and waits. Swarm itself does the rolling, the restarting and the rolling back; this class
 * asks for it and watches until it is done, so a command returns when the stack is in the state it asked for.
 */
public final class Swarm {

    static final String OWNER_LABEL = "io.stackctl.project";
    static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(5);
    static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);

    private final Stack stack;
    private final Engine engine;
    private final ProcessRunner runner;
    private final StackFiles files;
    private final PrintWriter progress;

    public Swarm(Stack stack, ProcessRunner runner, PrintWriter progress) {
        this.stack = stack;
        this.engine = stack.engine();
        this.runner = runner;
        this.files = stack.files();
        this.progress = progress;
    }

    /** Exit 3 with the command that fixes it, unless this engine is an active Swarm manager. */
    public String requireManager() {
        return engine.swarmManager()
                .map(info -> info.getNodeID())
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the Docker engine at " + engine.host()
                                + " is not a Swarm manager, so it cannot deploy a stack",
                        "make it one with: docker swarm init --advertise-addr <this host's address> (or join it to a"
                                + " swarm as a manager), then run this again"));
    }

    public String service(String name) {
        return stack.project() + "_" + name;
    }

    /** Creates the stack, or converges it to compose.yaml and compose/.env; returns when the app has N tasks. */
    public void deploy(int replicas) {
        String node = requireManager();
        labelNode(node);
        var env = EnvFile.load(files.envFile());
        boolean monitoring = Monitoring.enabled(stack.environment(), env);
        var values = secretValues(env, monitoring);
        Map<String, String> secrets = ensureSecrets(values);
        boolean prometheusChanged = monitoring && writePrometheusConf();
        Path file = render(replicas, secrets, values, env, monitoring);
        Instant asked = Instant.now();
        progress("docker stack deploy -c %s %s", file, stack.project());
        cli("stack", "deploy", "--prune", "--resolve-image", "never", "-c", file.toString(), stack.project());
        awaitUpdate(asked, false);
        awaitTasks(replicas);
        if (monitoring) {
            for (String service : Monitoring.SERVICES) {
                awaitTasks(service(service), 1);
            }
            // One that kept running reads its changed configuration again; not fatal: it scrapes with the one it has.
            if (prometheusChanged) {
                Monitoring.reloadPrometheus(stack)
                        .forEach(refused -> progress(
                                "warning: Prometheus did not take its new configuration (%s); it will at its next start",
                                refused));
            }
        }
        removeUnusedSecrets(secrets.values());
    }

    /** Replaces every app task one at a time, start-first, with nothing changed (a redeploy). */
    public void redeploy(int replicas) {
        Instant asked = Instant.now();
        progress("docker service update --force %s (one task at a time, start-first)", service(Stack.APP));
        cli("service", "update", "--force", "--detach", service(Stack.APP));
        awaitUpdate(asked, false);
        awaitTasks(replicas);
    }

    /** Swarm's previous spec of the app (it keeps one), rolled back the way it rolls forward. */
    public void rollback(int replicas) {
        Instant asked = Instant.now();
        progress("docker service rollback %s", service(Stack.APP));
        cli("service", "rollback", "--detach", service(Stack.APP));
        awaitUpdate(asked, true);
        awaitTasks(replicas);
    }

    public void scale(int replicas) {
        progress("docker service scale %s=%d", service(Stack.APP), replicas);
        cli("service", "scale", "--detach", service(Stack.APP) + "=" + replicas);
        awaitTasks(replicas);
        // The removed tasks left DNS at once; their containers finish their requests (up to the grace period).
        Pause.until(CONVERGE_TIMEOUT, POLL, () -> stack.replicas().size() <= replicas);
    }

    /** Removes the stack's services, networks and secrets (and its volumes with {@code volumes}). */
    public void remove(boolean volumes) {
        progress("docker stack rm %s", stack.project());
        cli("stack", "rm", stack.project());
        stack.forgetTarget();
        boolean gone = Pause.until(
                CONVERGE_TIMEOUT, POLL, () -> engine.containers(stack.project()).isEmpty());
        if (!gone) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the stack's containers were still there " + CONVERGE_TIMEOUT.toMinutes() + " minutes after docker"
                            + " stack rm",
                    "look at them with: docker ps -a --filter label=com.docker.stack.namespace=" + stack.project());
        }
        // Swarm removes the networks once their last task is gone; wait, so down leaves nothing behind.
        Pause.until(
                CONVERGE_TIMEOUT,
                POLL,
                () -> runner.capture(
                                List.of(
                                        "docker",
                                        "network",
                                        "ls",
                                        "-q",
                                        "--filter",
                                        "label=com.docker.stack.namespace=" + stack.project()),
                                CLI_TIMEOUT)
                        .stdout()
                        .isBlank());
        engine.secretNames(OWNER_LABEL, stack.project()).forEach(engine::removeSecret);
        if (volumes) {
            for (String volume : SwarmStackFile.declaredVolumes(files.composeFile())) {
                // The volumes live on the node labelled stackctl.db; on another node this is a no-op.
                runner.capture(List.of("docker", "volume", "rm", "-f", stack.project() + "_" + volume), CLI_TIMEOUT);
            }
        }
    }

    /** The app's desired task count in the running stack. */
    public Optional<Integer> desiredReplicas() {
        return engine.stackServices(stack.project()).stream()
                .filter(s -> service(Stack.APP).equals(s.getSpec().getName()))
                .map(s -> s.getSpec().getMode().getReplicated())
                .filter(java.util.Objects::nonNull)
                .map(replicated -> (int) replicated.getReplicas())
                .findFirst();
    }

    /** Labels this node as the home of the database and of nginx, unless some node already is. */
    private void labelNode(String node) {
        for (String label : List.of(SwarmStackFile.DB_LABEL, SwarmStackFile.EDGE_LABEL)) {
            var labelled = runner.capture(
                    List.of("docker", "node", "ls", "-q", "--filter", "node.label=" + label + "=true"), CLI_TIMEOUT);
            if (labelled.ok() && labelled.stdout().isBlank()) {
                progress(
                        "labelling this node %s=true (where %s)",
                        label,
                        label.equals(SwarmStackFile.DB_LABEL)
                                ? "db and cache keep their volumes"
                                : "nginx publishes the port");
                cli("node", "update", "--label-add", label + "=true", node);
            }
        }
    }

    /** One secret per value, named by its hash: a changed value is a new secret and the services roll onto it. */
    Map<String, String> ensureSecrets(Map<String, SecretValue> values) {
        var existing = new HashSet<>(engine.secretNames(OWNER_LABEL, stack.project()));
        Map<String, String> names = new TreeMap<>();
        values.forEach((name, value) -> {
            String secretName = stack.project() + "_" + name + "_"
                    + Sha256.of(value.value().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
            if (!existing.contains(secretName)) {
                engine.createSecret(secretName, value.value(), Map.of(OWNER_LABEL, stack.project()));
                progress("created the Swarm secret %s (from %s)", secretName, value.from());
            }
            names.put(name, secretName);
        });
        return names;
    }

    /** A secret's value, and where it came from (for the progress line; never the value). */
    record SecretValue(String value, String from) {}

    /**
     * Every secret of {@link SwarmStackFile#SECRETS}, the off-host repository's when compose/.env names one, and the
     * monitoring profile's login to PostgreSQL while the profile is on.
     */
    private Map<String, SecretValue> secretValues(EnvFile env, boolean monitoring) {
        Map<String, SecretValue> values = new TreeMap<>();
        SwarmStackFile.SECRETS.forEach((name, variable) -> values.put(
                name,
                new SecretValue(
                        env.get(variable)
                                .orElseThrow(() -> new StackctlException(
                                        ExitCodes.PRECONDITION,
                                        files.envFile() + " has no " + variable,
                                        "run bin/stackctl up --target swarm: it adds the missing secrets")),
                        variable)));
        OffsiteRepository.resolve(stack.environment(), env).ifPresent(offsite -> {
            values.put("s3_key", new SecretValue(offsite.key(), OffsiteRepository.KEY));
            values.put("s3_key_secret", new SecretValue(offsite.keySecret(), OffsiteRepository.KEY_SECRET));
            offsite.caCertificate()
                    .ifPresent(ca -> values.put("s3_ca", new SecretValue(ca, OffsiteRepository.CA_FILE)));
        });
        if (monitoring) {
            env.get(EnvFile.MONITOR_DB_SECRET)
                    .ifPresent(password -> values.put(
                            SwarmStackFile.MONITOR_SECRET, new SecretValue(password, EnvFile.MONITOR_DB_SECRET)));
        }
        return values;
    }

    private void removeUnusedSecrets(java.util.Collection<String> inUse) {
        for (String name : engine.secretNames(OWNER_LABEL, stack.project())) {
            if (!inUse.contains(name) && engine.removeSecret(name)) {
                progress("removed the Swarm secret %s, which no service uses any more", name);
            }
        }
    }

    private Path render(
            int replicas,
            Map<String, String> secrets,
            Map<String, SecretValue> values,
            EnvFile env,
            boolean monitoring) {
        Path dir = files.upstreamDir().resolve("swarm");
        Path stackFile = dir.resolve(stack.project() + ".yaml");
        try {
            Files.createDirectories(dir);
            SwarmNginxConf.write(files.root().resolve("nginx"), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write nginx's configuration under " + dir, e);
        }
        String rendered = SwarmStackFile.render(
                stack.compose().config(),
                new SwarmStackFile.Plan(
                        replicas,
                        releaseImage(),
                        agentImage(),
                        secrets,
                        stack.settings().httpPort(),
                        stack.settings().httpsPort(),
                        dir,
                        files.upstreamDir(),
                        files.tlsDir(),
                        // On unless compose/.env says off: unlike compose's one host, overlays may cross hosts.
                        !env.get("STACK_INTERNAL_TLS").orElse("on").equals("off"),
                        monitoring));
        values.values().forEach(secret -> {
            // The access key's id and the CA's certificate are no secrets, and a short id may occur by chance.
            boolean secretValue =
                    !List.of(OffsiteRepository.KEY, OffsiteRepository.CA_FILE).contains(secret.from());
            if (secretValue && rendered.contains(secret.value())) {
                throw new IllegalStateException("the stack file would hold the value of " + secret.from());
            }
        });
        try {
            AtomicFiles.writeString(stackFile, rendered);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stackFile, e);
        }
        return stackFile;
    }

    private boolean writePrometheusConf() {
        try {
            return SwarmPrometheusConf.write(
                    files.composeDir().resolve("monitoring").resolve("prometheus.yml"), files.scrapeTargetsDir());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write Prometheus' configuration under " + files.scrapeTargetsDir(), e);
        }
    }

    /** The agent image under a tag of its id, like the app's: Swarm rolls the agent only when the spec names another. */
    private String agentImage() {
        String image = stack.settings().agentImage();
        return engine.imageId(image)
                .map(id -> ReleaseImage.keep(engine, image, id))
                .orElse(image);
    }

    /** The app image under its release tag (as deploy's): Swarm rolls the tasks only when the spec names another image. */
    private String releaseImage() {
        return ReleaseImage.keep(engine, stack.settings().appImage(), stack.appImageId());
    }

    /**
     * Waits for the update Swarm started after {@code asked} to end: completed is done; rolled back (a new task
     * failed, so Swarm put the previous spec back) is exit 1 with Swarm's reason, unless a rollback was asked for.
     * No update at all means nothing changed.
     */
    private void awaitUpdate(Instant asked, boolean rollingBack) {
        String app = service(Stack.APP);
        long deadline = System.nanoTime() + CONVERGE_TIMEOUT.toNanos();
        Optional<ServiceUpdateState> last = Optional.empty();
        Instant quietUntil = Instant.now().plusSeconds(5);
        while (System.nanoTime() < deadline) {
            Optional<ServiceUpdateStatus> status = engine.updateStatus(app)
                    .filter(s -> s.getStartedAt() != null
                            && !s.getStartedAt().toInstant().isBefore(asked.minusSeconds(1)));
            if (status.isEmpty()) {
                if (Instant.now().isAfter(quietUntil)) {
                    return; // Swarm started no update: the app's spec did not change
                }
            } else {
                var state = status.get().getState();
                if (!Optional.ofNullable(state).equals(last)) {
                    progress(
                            "  %s: %s%s",
                            app,
                            String.valueOf(state).toLowerCase(),
                            status.get().getMessage() == null
                                    ? ""
                                    : " (" + status.get().getMessage() + ")");
                    last = Optional.ofNullable(state);
                }
                if (state == ServiceUpdateState.COMPLETED
                        || (rollingBack && state == ServiceUpdateState.ROLLBACK_COMPLETED)) {
                    return;
                }
                if (state == ServiceUpdateState.ROLLBACK_COMPLETED) {
                    throw new StackctlException(
                            ExitCodes.CHECK_FAILED,
                            "the new release failed, and Swarm rolled " + app
                                    + " back to the previous one (a new task: "
                                    + engine.lastTaskFailure(app).orElse("no reason recorded") + ")",
                            "the new tasks did not stay up; see why with: docker service ps --no-trunc " + app
                                    + " (and docker service logs " + app
                                    + "), fix compose/.env or the app, deploy again");
                }
                if (state == ServiceUpdateState.PAUSED || state == ServiceUpdateState.ROLLBACK_PAUSED) {
                    throw new StackctlException(
                            ExitCodes.FAILED,
                            "Swarm paused the update of " + app + ": "
                                    + status.get().getMessage(),
                            "see docker service ps --no-trunc " + app
                                    + "; resume with docker service update --rollback " + app);
                }
            }
            Pause.sleep(POLL, "interrupted while Swarm updates " + app, "watch it with: docker service ps " + app);
        }
        throw new StackctlException(
                ExitCodes.FAILED,
                "the update of " + app + " did not finish within " + CONVERGE_TIMEOUT.toMinutes() + " minutes",
                "watch it with: docker service ps " + app);
    }

    /** Until the app has exactly {@code replicas} running (healthy) tasks, saying each change. */
    private void awaitTasks(int replicas) {
        awaitTasks(service(Stack.APP), replicas);
    }

    private void awaitTasks(String service, int replicas) {
        int[] seen = {-1};
        boolean done = Pause.until(CONVERGE_TIMEOUT, POLL, () -> {
            int running = engine.runningTasks(service).size();
            if (running != seen[0]) {
                progress("  %s: %d of %d tasks running and healthy", service, running, replicas);
                seen[0] = running;
            }
            return running == replicas;
        });
        if (!done) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    service + " did not reach " + replicas + " healthy tasks within " + CONVERGE_TIMEOUT.toMinutes()
                            + " minutes (" + seen[0] + " now)",
                    "see why with: docker service ps --no-trunc " + service);
        }
    }

    /** docker service logs of one service (every task, on any node), or of each in turn; the CLI's exit code. */
    public int logs(Optional<String> service, boolean follow, int tail) {
        List<String> services = service.map(List::of).orElse(List.of(Stack.NGINX, Stack.APP, Stack.DB, Stack.CACHE));
        int code = 0;
        for (String name : services) {
            var command = new ArrayList<>(
                    List.of("docker", "service", "logs", "--timestamps", "--tail", Integer.toString(tail)));
            if (follow && services.size() == 1) {
                command.add("--follow");
            }
            command.add(service(name));
            code = Math.max(code, runner.interactive(command));
        }
        return code;
    }

    /** Services and their task counts, for status: name -> "running/desired". */
    public Map<String, String> serviceSummary() {
        Map<String, String> summary = new LinkedHashMap<>();
        for (var service : engine.stackServices(stack.project())) {
            String name = service.getSpec().getName();
            var replicated = service.getSpec().getMode().getReplicated();
            summary.put(
                    name,
                    engine.runningTasks(name).size() + "/" + (replicated == null ? "?" : replicated.getReplicas()));
        }
        return summary;
    }

    private void cli(String... args) {
        var command = new ArrayList<String>();
        command.add("docker");
        command.addAll(List.of(args));
        runner.check(command, CLI_TIMEOUT);
    }

    private void progress(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
