package io.stackctl.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The Docker engine through docker-java: inspect, exec, stop and kill; honours {@code DOCKER_HOST}. */
public final class DockerEngine implements Engine {

    static final String PROJECT_LABEL = "com.docker.compose.project";
    static final String SERVICE_LABEL = "com.docker.compose.service";
    static final String NUMBER_LABEL = "com.docker.compose.container-number";
    static final String CONFIG_HASH_LABEL = "com.docker.compose.config-hash";
    /** What Swarm labels a stack's task containers with (the stack and the service, "<stack>_<service>"). */
    static final String STACK_LABEL = "com.docker.stack.namespace";

    static final String SWARM_SERVICE_LABEL = "com.docker.swarm.service.name";
    static final String SWARM_TASK_LABEL = "com.docker.swarm.task.name";

    private final DockerClient client;
    private final String host;
    private final InspectCache inspections = new InspectCache(System::nanoTime);

    private DockerEngine(DockerClient client, String host) {
        this.client = client;
        this.host = host;
    }

    /** Connects and pings; an unreachable engine is exit 3 with a hint. */
    public static DockerEngine connect(Map<String, String> environment) {
        var builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        String dockerHost = environment.get("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            builder.withDockerHost(dockerHost);
        }
        var config = builder.build();
        var http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(3))
                .responseTimeout(Duration.ofMinutes(2))
                .build();
        var engine = new DockerEngine(
                DockerClientImpl.getInstance(config, http),
                config.getDockerHost().toString());
        try {
            engine.client.pingCmd().exec();
        } catch (RuntimeException e) {
            engine.close();
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the Docker engine at " + engine.host + " is not reachable (" + rootMessage(e) + ")",
                    "start it (systemctl start docker, or dockerd &) or point DOCKER_HOST at a running engine",
                    e);
        }
        return engine;
    }

    public String host() {
        return host;
    }

    public String serverVersion() {
        return client.versionCmd().exec().getVersion();
    }

    public String rootDir() {
        return client.infoCmd().exec().getDockerRootDir();
    }

    /**
     * Every container of the project on this engine, with health and addresses, ordered by service and number: a
     * compose project's, or the tasks of the Swarm stack of that name that run here (their slot is the number).
     */
    public List<ServiceContainer> containers(String project) {
        return containers(project, Map.of(PROJECT_LABEL, project), Map.of(STACK_LABEL, project));
    }

    private List<ServiceContainer> containers(
            String project, Map<String, String> composeLabels, Map<String, String> swarmLabels) {
        List<Container> listed = new java.util.ArrayList<>(client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(composeLabels)
                .exec());
        listed.addAll(client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(swarmLabels)
                .exec());
        return listed.stream()
                .map(container -> describe(project, container))
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(ServiceContainer::service).thenComparingInt(ServiceContainer::number))
                .toList();
    }

    static String serviceOf(String project, Map<String, String> labels) {
        String swarmService = labels.get(SWARM_SERVICE_LABEL);
        if (swarmService != null && swarmService.startsWith(project + "_")) {
            return swarmService.substring(project.length() + 1);
        }
        return labels.getOrDefault(SERVICE_LABEL, "?");
    }

    /** Compose's container number, or the Swarm task's slot ("<stack>_<service>.<slot>.<task id>"). */
    static int numberOf(Map<String, String> labels) {
        String task = labels.get(SWARM_TASK_LABEL);
        if (task != null) {
            String[] parts = task.split("\\.");
            return parts.length >= 2 && parts[1].matches("[0-9]{1,9}") ? Integer.parseInt(parts[1]) : 0;
        }
        return Integer.parseInt(labels.getOrDefault(NUMBER_LABEL, "0"));
    }

    /** This engine's Swarm membership: empty unless it is an active manager (which can deploy stacks). */
    public Optional<com.github.dockerjava.api.model.SwarmInfo> swarmManager() {
        var swarm = client.infoCmd().exec().getSwarm();
        return swarm != null
                        && swarm.getLocalNodeState() == com.github.dockerjava.api.model.LocalNodeState.ACTIVE
                        && Boolean.TRUE.equals(swarm.getControlAvailable())
                ? Optional.of(swarm)
                : Optional.empty();
    }

    /** The Swarm services of stack {@code project}; empty also when the engine is not a Swarm manager. */
    public List<com.github.dockerjava.api.model.Service> stackServices(String project) {
        // A node that is no manager answers the list with 503, which docker-java's HTTP client retries after a
        // second: asked first, the engine's info saves every command on a plain engine that second.
        if (swarmManager().isEmpty()) {
            return List.of();
        }
        try {
            return client.listServicesCmd()
                    .withLabelFilter(Map.of(STACK_LABEL, project))
                    .exec();
        } catch (RuntimeException e) {
            return List.of(); // not a manager: no stack can run from here
        }
    }

    /** The tasks of a Swarm service that are running (healthy, when it has a healthcheck), on any node. */
    public List<com.github.dockerjava.api.model.Task> runningTasks(String serviceName) {
        return client
                .listTasksCmd()
                .withServiceFilter(serviceName)
                .withStateFilter(com.github.dockerjava.api.model.TaskState.RUNNING)
                .exec()
                .stream()
                .filter(t -> t.getStatus() != null
                        && t.getStatus().getState() == com.github.dockerjava.api.model.TaskState.RUNNING)
                .toList();
    }

    /** Why the most recent failed task of a Swarm service failed ("task: non-zero exit (2)"), if one did. */
    public Optional<String> lastTaskFailure(String serviceName) {
        return client.listTasksCmd().withServiceFilter(serviceName).exec().stream()
                .filter(t -> t.getStatus() != null
                        && (t.getStatus().getState() == com.github.dockerjava.api.model.TaskState.FAILED
                                || t.getStatus().getState() == com.github.dockerjava.api.model.TaskState.REJECTED))
                .max(Comparator.comparing(t -> String.valueOf(t.getStatus().getTimestamp())))
                .map(t -> t.getStatus().getErr() != null
                        ? t.getStatus().getErr()
                        : t.getStatus().getMessage());
    }

    /** The last update's state and message ("rollback_completed", ...), when the service was ever updated. */
    public Optional<com.github.dockerjava.api.model.ServiceUpdateStatus> updateStatus(String serviceName) {
        return client.listServicesCmd().withNameFilter(List.of(serviceName)).exec().stream()
                .filter(s ->
                        s.getSpec() != null && serviceName.equals(s.getSpec().getName()))
                .findFirst()
                .map(s -> client.inspectServiceCmd(s.getId()).exec().getUpdateStatus());
    }

    /** Creates a Swarm secret (its value never touches a file or a command line); labels say whose it is. */
    public void createSecret(String name, String value, Map<String, String> labels) {
        client.createSecretCmd(new com.github.dockerjava.api.model.SecretSpec()
                        .withName(name)
                        .withLabels(labels)
                        // docker-java base64-encodes the data for the API itself
                        .withData(value))
                .exec();
    }

    /** Names of the Swarm secrets carrying {@code label=value}. */
    public List<String> secretNames(String label, String value) {
        return client.listSecretsCmd().withLabelFilter(Map.of(label, value)).exec().stream()
                .map(secret -> secret.getSpec().getName())
                .toList();
    }

    /** False when the secret is still used by a service (Swarm refuses), or already gone. */
    public boolean removeSecret(String name) {
        try {
            client.removeSecretCmd(name).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The containers of one service: the engine filters by label, so only those are inspected. */
    public List<ServiceContainer> containers(String project, String service) {
        return containers(
                        project,
                        Map.of(PROJECT_LABEL, project, SERVICE_LABEL, service),
                        Map.of(STACK_LABEL, project, SWARM_SERVICE_LABEL, project + "_" + service))
                .stream()
                .filter(c -> c.service().equals(service))
                .toList();
    }

    private Optional<ServiceContainer> describe(String project, Container container) {
        InspectContainerResponse inspect;
        try {
            inspect = inspections.get(
                    container, id -> client.inspectContainerCmd(id).exec());
        } catch (NotFoundException e) {
            return Optional.empty(); // removed between list and inspect
        }
        var labels = container.getLabels();
        var state = inspect.getState();
        Optional<String> health = Optional.ofNullable(state.getHealth()).map(h -> h.getStatus());
        Optional<Instant> started = Optional.ofNullable(state.getStartedAt())
                .filter(s -> !s.startsWith("0001"))
                .map(Instant::parse);
        Map<String, String> ips = new LinkedHashMap<>();
        if (inspect.getNetworkSettings() != null && inspect.getNetworkSettings().getNetworks() != null) {
            inspect.getNetworkSettings()
                    .getNetworks()
                    .forEach((name, network) -> ips.put(name, network.getIpAddress()));
        }
        String name = inspect.getName().startsWith("/") ? inspect.getName().substring(1) : inspect.getName();
        return Optional.of(new ServiceContainer(
                container.getId(),
                name,
                serviceOf(project, labels),
                numberOf(labels),
                state.getStatus(),
                health,
                started,
                ips,
                String.valueOf(inspect.getImageId()),
                labels.getOrDefault(CONFIG_HASH_LABEL, ""),
                inspect.getRestartCount() == null ? 0 : inspect.getRestartCount()));
    }

    /** The last health-check outputs of a container, newest last, for failure messages. */
    public List<String> healthLog(String containerId) {
        var health = client.inspectContainerCmd(containerId).exec().getState().getHealth();
        if (health == null || health.getLog() == null) {
            return List.of();
        }
        return health.getLog().stream()
                .map(entry -> "exit " + entry.getExitCodeLong() + ": "
                        + String.valueOf(entry.getOutput()).strip())
                .toList();
    }

    @Override
    public List<String> healthcheckCommand(String containerId) {
        var config = client.inspectContainerCmd(containerId).exec().getConfig();
        var test = config == null || config.getHealthcheck() == null
                ? null
                : config.getHealthcheck().getTest();
        return HealthcheckCommand.of(test);
    }

    /** How long an exec waits for a container its restart policy is bringing back. */
    static final Duration RESTARTING_WAIT = Duration.ofSeconds(30);

    /**
     * Creates the exec; a container its restart policy is bringing back (the engine answers 409 "is restarting, wait
     * until the container is running": a restore in CI met the db so) is waited for, up to {@link #RESTARTING_WAIT},
     * and asked again. Nothing ran yet, so asking again is safe.
     */
    private ExecCreateCmdResponse createExec(String containerId, String... command) {
        long deadline = System.nanoTime() + RESTARTING_WAIT.toNanos();
        while (true) {
            try {
                return client.execCreateCmd(containerId)
                        .withCmd(command)
                        .withAttachStdout(true)
                        .withAttachStderr(true)
                        .exec();
            } catch (ConflictException e) {
                if (!restarting(e.getMessage()) || System.nanoTime() > deadline) {
                    throw e;
                }
                Pause.sleep(
                        Duration.ofMillis(250),
                        "interrupted while waiting for container " + containerId.substring(0, 12) + " to restart",
                        "run the command again");
            }
        }
    }

    /** The engine's answer to an exec in a container between a crash and its restart. */
    static boolean restarting(String message) {
        return message != null && message.contains("is restarting, wait until the container is running");
    }

    /** Runs a command inside a container and returns its exit code and output (stdout, then stderr). */
    public ExecResult exec(String containerId, Duration timeout, String... command) {
        var stdout = new ByteArrayOutputStream();
        var stderr = new StringBuilder();
        long exit = execStreaming(containerId, stdout, stderr, timeout, command);
        return new ExecResult(exit, stdout.toString(StandardCharsets.UTF_8) + stderr);
    }

    /**
     * Runs a command inside a container and streams its stdout, byte for byte, to {@code stdout}; stderr is
     * collected as text. Meant for binary output such as a {@code pg_dump} archive, so no TTY is attached.
     */
    public long execStreaming(
            String containerId, OutputStream stdout, StringBuilder stderr, Duration timeout, String... command) {
        var created = createExec(containerId, command);
        var writeFailure = new AtomicReference<IOException>();
        try (var callback = client.execStartCmd(created.getId()).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                if (frame.getStreamType() == StreamType.STDERR) {
                    synchronized (stderr) {
                        stderr.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                    return;
                }
                if (writeFailure.get() != null) {
                    return;
                }
                try {
                    stdout.write(frame.getPayload());
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            }
        })) {
            if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "'" + command[0] + "' in container " + containerId.substring(0, 12) + " did not finish within "
                                + timeout.toSeconds() + " s",
                        "check the container with: docker logs " + containerId.substring(0, 12));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackctlException(ExitCodes.FAILED, "interrupted while running " + command[0], "run it again");
        } catch (IOException e) {
            throw new StackctlException(ExitCodes.FAILED, "exec failed: " + e.getMessage(), "run it again");
        }
        if (writeFailure.get() != null) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "could not write the output of " + command[0] + ": "
                            + writeFailure.get().getMessage(),
                    "check free space and permissions of the target directory");
        }
        Long exit = client.inspectExecCmd(created.getId()).exec().getExitCodeLong();
        return exit == null ? -1 : exit;
    }

    /** Copies one host file into a directory of the container (the engine tars it on the way). */
    public void copyToContainer(String containerId, Path hostFile, String containerDirectory) {
        client.copyArchiveToContainerCmd(containerId)
                .withHostResource(hostFile.toString())
                .withRemotePath(containerDirectory)
                .exec();
    }

    /** SIGTERM, then SIGKILL after {@code grace}: the app drains its in-flight requests meanwhile. */
    public void stopAndRemove(String containerId, Duration grace) {
        try {
            client.stopContainerCmd(containerId)
                    .withTimeout((int) grace.toSeconds())
                    .exec();
        } catch (NotFoundException e) {
            return;
        } catch (RuntimeException e) {
            // already stopped: removal below settles it
        }
        client.removeContainerCmd(containerId).withForce(true).exec();
    }

    public ExecResult runBeside(String containerId, String name, Duration timeout, String network, String... command) {
        return runOneOff(
                containerId,
                name,
                timeout,
                com.github.dockerjava.api.model.HostConfig.newHostConfig()
                        .withVolumesFrom(new com.github.dockerjava.api.model.VolumesFrom(containerId))
                        .withNetworkMode(network),
                List.of(),
                command);
    }

    @Override
    public ExecResult runScratch(
            String containerId,
            String name,
            Duration timeout,
            String network,
            List<String> binds,
            String scratch,
            String... command) {
        return runOneOff(
                containerId,
                name,
                timeout,
                com.github.dockerjava.api.model.HostConfig.newHostConfig()
                        .withBinds(binds.stream()
                                .map(com.github.dockerjava.api.model.Bind::parse)
                                .toList())
                        .withNetworkMode(network),
                List.of(new com.github.dockerjava.api.model.Volume(scratch)),
                command);
    }

    private ExecResult runOneOff(
            String containerId,
            String name,
            Duration timeout,
            com.github.dockerjava.api.model.HostConfig hostConfig,
            List<com.github.dockerjava.api.model.Volume> volumes,
            String... command) {
        try {
            client.removeContainerCmd(name)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
        } catch (NotFoundException e) {
            // none left from before
        }
        var beside = client.inspectContainerCmd(containerId).exec();
        var create = client.createContainerCmd(beside.getImageId())
                .withName(name)
                .withUser("root")
                .withEnv(beside.getConfig().getEnv())
                .withEntrypoint(command[0])
                .withCmd(java.util.Arrays.asList(command).subList(1, command.length))
                .withHostConfig(hostConfig
                        .withExtraHosts(beside.getHostConfig().getExtraHosts())
                        .withInit(true));
        if (!volumes.isEmpty()) {
            create = create.withVolumes(volumes);
        }
        String id = create.exec().getId();
        try {
            client.startContainerCmd(id).exec();
            Integer exit;
            try {
                exit = client.waitContainerCmd(id).start().awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "'" + String.join(" ", command) + "' in a one-off container did not finish within "
                                + timeout.toSeconds() + " s",
                        "check it with: docker logs " + name);
            }
            return new ExecResult(exit == null ? -1 : exit, logTail(id, 200));
        } finally {
            client.removeContainerCmd(id)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
        }
    }

    public String imageIdOf(String containerId) {
        return client.inspectContainerCmd(containerId).exec().getImageId();
    }

    /**
     * Crashes a container's workload the way the kernel's OOM killer would, through the engine only (so it works, and
     * harms nothing else, with a remote DOCKER_HOST): SIGKILL to every process of the container but its init. With an
     * init as PID 1 (compose's {@code init: true}) the container then exits on its own and its restart policy applies,
     * unlike {@code docker kill}, which the engine counts as a deliberate stop. False when the container kept running
     * (no init: a process cannot kill its namespace's PID 1).
     */
    public java.util.OptionalLong crash(String containerId, Duration bound) {
        var before = client.inspectContainerCmd(containerId).exec().getState();
        String startedBefore = before.getStartedAt();
        // The shell kills itself last, so the exec ends as the kill is done.
        exec(containerId, Duration.ofSeconds(10), "sh", "-c", "kill -9 -1");
        long killedAt = System.nanoTime();
        long deadline = killedAt + bound.toNanos();
        while (System.nanoTime() < deadline) {
            var state = client.inspectContainerCmd(containerId).exec().getState();
            if (!Boolean.TRUE.equals(state.getRunning())
                    || !String.valueOf(state.getStartedAt()).equals(startedBefore)) {
                return java.util.OptionalLong.of(killedAt);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return java.util.OptionalLong.empty();
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** {@code docker kill}: SIGKILL. The engine treats it as a deliberate stop, so no restart policy applies. */
    public void kill(String containerId) {
        client.killContainerCmd(containerId).exec();
    }

    @Override
    public void cpuShares(String containerId, int shares) {
        client.updateContainerCmd(containerId).withCpuShares(shares).exec();
    }

    public void stop(String containerId, Duration grace) {
        client.stopContainerCmd(containerId)
                .withTimeout((int) grace.toSeconds())
                .exec();
    }

    public void start(String containerId) {
        client.startContainerCmd(containerId).exec();
    }

    @Override
    public void pause(String containerId) {
        client.pauseContainerCmd(containerId).exec();
    }

    @Override
    public void unpause(String containerId) {
        try {
            client.unpauseContainerCmd(containerId).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone, or not paused (a failover killed it): nothing to thaw
        }
    }

    public void restart(String containerId, Duration grace) {
        client.restartContainerCmd(containerId)
                .withTimeout((int) grace.toSeconds())
                .exec();
    }

    /** A container's labels, e.g. to learn its own compose project from inside it. */
    public Map<String, String> labelsOf(String containerId) {
        Map<String, String> labels =
                client.inspectContainerCmd(containerId).exec().getConfig().getLabels();
        return labels == null ? Map.of() : labels;
    }

    @Override
    public Optional<String> mountSource(String containerId, String destination) {
        var mounts = client.inspectContainerCmd(containerId).exec().getMounts();
        if (mounts == null) {
            return Optional.empty();
        }
        return mounts.stream()
                .filter(m -> m.getDestination() != null
                        && destination.equals(m.getDestination().getPath()))
                .map(com.github.dockerjava.api.command.InspectContainerResponse.Mount::getSource)
                .findFirst();
    }

    /** The compose project a container belongs to, or the Swarm stack its task is part of. */
    public static String projectOf(Map<String, String> labels) {
        return labels.getOrDefault(PROJECT_LABEL, labels.getOrDefault(STACK_LABEL, ""));
    }

    /**
     * The container events that change what serves: a container came, went, stopped, froze or changed health. Not
     * the exec events every health check makes (three per check, one check per container each interval): waking on
     * those, the agent ran a round several times a second on an idle stack.
     */
    static final String[] LIFECYCLE_EVENTS = {
        "create",
        "start",
        "restart",
        "die",
        "kill",
        "oom",
        "stop",
        "pause",
        "unpause",
        "destroy",
        "rename",
        "health_status"
    };

    /**
     * Calls {@code listener} on every lifecycle event of the project's containers ({@link #LIFECYCLE_EVENTS}) until
     * the stream ends; {@code ended} runs then, as when the engine restarts. Close the result to stop listening.
     */
    public java.io.Closeable onContainerEvents(
            String project, java.util.function.Consumer<ContainerEvent> listener, Runnable ended) {
        return client.eventsCmd()
                .withEventTypeFilter(com.github.dockerjava.api.model.EventType.CONTAINER)
                .withEventFilter(LIFECYCLE_EVENTS)
                .withLabelFilter(Map.of(PROJECT_LABEL, project))
                .exec(new ResultCallback.Adapter<com.github.dockerjava.api.model.Event>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Event event) {
                        Map<String, String> attributes =
                                event.getActor() == null || event.getActor().getAttributes() == null
                                        ? Map.of()
                                        : event.getActor().getAttributes();
                        listener.accept(new ContainerEvent(
                                Objects.requireNonNullElse(event.getAction(), Objects.toString(event.getStatus(), "")),
                                Objects.toString(event.getId(), ""),
                                attributes.getOrDefault("name", ""),
                                attributes.getOrDefault(SERVICE_LABEL, "")));
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.run();
                    }

                    @Override
                    public void onComplete() {
                        ended.run();
                    }
                });
    }

    /** The id ({@code sha256:...}) of a local image, or empty when there is none by that name. */
    public Optional<String> imageId(String image) {
        try {
            return Optional.ofNullable(client.inspectImageCmd(image).exec().getId());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Gives an image one more name, e.g. a release tag that keeps it from being pruned. */
    public void tag(String imageId, String repository, String tag) {
        client.tagImageCmd(imageId, repository, tag).withForce().exec();
    }

    /** The last lines a container printed, for failure messages. */
    public String logTail(String containerId, int lines) {
        var text = new StringBuilder();
        try (var callback = client.logContainerCmd(containerId)
                .withStdOut(true)
                .withStdErr(true)
                .withTail(lines)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                })) {
            callback.awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            return "(no logs: " + e.getMessage() + ")";
        }
        return text.toString().strip();
    }

    /** Whether compose made the named volume for this project (its data outlives the project's containers). */
    public boolean volumeExists(String project, String volume) {
        return !composeVolumes(project, volume).isEmpty();
    }

    @Override
    public Optional<Map<String, String>> volumeOptions(String project, String volume) {
        return composeVolumes(project, volume).stream()
                .findFirst()
                .map(found -> found.getOptions() == null ? Map.of() : Map.copyOf(found.getOptions()));
    }

    /** The volumes compose made for {@code volume} of this project, found by its labels. */
    private List<com.github.dockerjava.api.command.InspectVolumeResponse> composeVolumes(
            String project, String volume) {
        var volumes = client.listVolumesCmd()
                .withFilter(
                        "label",
                        List.of("com.docker.compose.project=" + project, "com.docker.compose.volume=" + volume))
                .exec()
                .getVolumes();
        return volumes == null ? List.of() : volumes;
    }

    @Override
    public String startBeside(HelperSpec spec) {
        remove(spec.name());
        var hostConfig = com.github.dockerjava.api.model.HostConfig.newHostConfig()
                .withNetworkMode("container:" + spec.targetId())
                .withCapAdd(spec.capabilities().stream()
                        .map(com.github.dockerjava.api.model.Capability::valueOf)
                        .toArray(com.github.dockerjava.api.model.Capability[]::new))
                .withInit(true);
        if (spec.joinPidNamespace()) {
            hostConfig.withPidMode("container:" + spec.targetId());
        }
        if (spec.shareVolumes()) {
            hostConfig.withVolumesFrom(new com.github.dockerjava.api.model.VolumesFrom(spec.targetId()));
        }
        String id = client.createContainerCmd(spec.image())
                .withName(spec.name())
                .withLabels(spec.labels())
                .withEnv(spec.environment().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList())
                .withCmd(spec.command())
                .withHostConfig(hostConfig)
                .exec()
                .getId();
        client.startContainerCmd(id).exec();
        return id;
    }

    @Override
    public List<Helper> helpers(Map<String, String> labels) {
        return client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec().stream()
                .map(container -> {
                    boolean running = "running".equals(container.getState());
                    Optional<Long> exitCode = Optional.empty();
                    if (!running) {
                        try {
                            var state = client.inspectContainerCmd(container.getId())
                                    .exec()
                                    .getState();
                            exitCode = Optional.ofNullable(state.getExitCodeLong());
                        } catch (NotFoundException gone) {
                            // removed meanwhile: its exit is unknown
                        }
                    }
                    String name = container.getNames() == null || container.getNames().length == 0
                            ? container.getId()
                            : container.getNames()[0].replaceFirst("^/", "");
                    return new Helper(container.getId(), name, running, exitCode, container.getLabels());
                })
                .toList();
    }

    @Override
    public boolean removeVolume(String project, String volume) {
        var volumes = composeVolumes(project, volume);
        volumes.forEach(found -> client.removeVolumeCmd(found.getName()).exec());
        return !volumes.isEmpty();
    }

    @Override
    public String cloneReplica(String sourceId, int number) {
        InspectContainerResponse source = client.inspectContainerCmd(sourceId).exec();
        var config = source.getConfig();
        Map<String, String> labels = new LinkedHashMap<>(config.getLabels());
        String oldNumber = labels.getOrDefault(NUMBER_LABEL, "");
        labels.put(NUMBER_LABEL, String.valueOf(number));
        String service = labels.getOrDefault(SERVICE_LABEL, "");
        // compose v1 names replicas project_service_N, v2 project-service-N: the source's own name says which.
        String sourceName = source.getName().replaceFirst("^/", "");
        String name = sourceName.endsWith(oldNumber) && !oldNumber.isEmpty()
                ? sourceName.substring(0, sourceName.length() - oldNumber.length()) + number
                : sourceName + "_" + number;
        Map<String, com.github.dockerjava.api.model.ContainerNetwork> networks =
                source.getNetworkSettings().getNetworks();
        List<String> networkNames = networks.keySet().stream().sorted().toList();
        if (networkNames.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot copy replica " + sourceName + ": it is on no network",
                    "bin/stackctl up recreates the replicas");
        }
        var hostConfig = source.getHostConfig().withNetworkMode(networkNames.get(0));
        var create = client.createContainerCmd(source.getImageId())
                .withName(name)
                .withLabels(labels)
                .withEnv(config.getEnv())
                .withHealthcheck(config.getHealthcheck())
                .withHostConfig(hostConfig)
                .withAliases(service);
        if (config.getEntrypoint() != null) {
            create.withEntrypoint(config.getEntrypoint());
        }
        if (config.getCmd() != null) {
            create.withCmd(config.getCmd());
        }
        if (config.getUser() != null && !config.getUser().isEmpty()) {
            create.withUser(config.getUser());
        }
        if (config.getWorkingDir() != null && !config.getWorkingDir().isEmpty()) {
            create.withWorkingDir(config.getWorkingDir());
        }
        if (config.getExposedPorts() != null) {
            create.withExposedPorts(config.getExposedPorts());
        }
        String id = create.exec().getId();
        try {
            for (String network : networkNames.subList(1, networkNames.size())) {
                client.connectToNetworkCmd()
                        .withContainerId(id)
                        .withNetworkId(network)
                        .withContainerNetwork(
                                new com.github.dockerjava.api.model.ContainerNetwork().withAliases(service))
                        .exec();
            }
            client.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            remove(id);
            throw e;
        }
        return id;
    }

    @Override
    public void remove(String containerId) {
        try {
            client.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    @Override
    public void buildImage(Path context, String tag, Map<String, String> buildArgs) {
        var build = client.buildImageCmd(context.toFile()).withTags(java.util.Set.of(tag));
        buildArgs.forEach(build::withBuildArg);
        try {
            build.exec(new com.github.dockerjava.api.command.BuildImageResultCallback())
                    .awaitImageId(10, TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "building " + tag + " from " + context + " failed: " + rootMessage(e),
                    "build it by hand to see every step: docker build -t " + tag + " " + context,
                    e);
        }
    }

    public Optional<String> imageLabel(String image, String label) {
        try {
            var config = client.inspectImageCmd(image).exec().getConfig();
            return Optional.ofNullable(
                    config == null || config.getLabels() == null
                            ? null
                            : config.getLabels().get(label));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    public boolean imageExists(String image) {
        try {
            client.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
