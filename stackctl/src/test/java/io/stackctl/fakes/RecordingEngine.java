package io.stackctl.fakes;

import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import java.io.Closeable;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An engine in memory that records what it was asked, in order, so a test can hold the orchestration's decisions
 * (which replicas, in which order, out of rotation before stopped) against what it must do. A new container starts
 * with health {@code starting} and turns {@code healthy} after {@link #pollsUntilHealthy} listings, as a real one
 * does after its first health checks. Anything a test did not expect to be asked fails it.
 */
public final class RecordingEngine implements Engine {

    public final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, ServiceContainer> containers = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Integer> pollsLeft = Collections.synchronizedMap(new LinkedHashMap<>());
    private final String project;
    public int pollsUntilHealthy = 2;
    /** The image and compose config hash a container started from now on runs: what compose would start. */
    public String declaredImage = "sha256:old";

    public String declaredConfig = "config-old";
    /** Which replicas answer their own /ready (asked directly, not through nginx). */
    public java.util.function.Predicate<ServiceContainer> answersReady = c -> true;

    public String maxConnections = "100";
    /** What psql in the db container answers, by a piece of the SQL it was given. */
    public final Map<String, String> psql = Collections.synchronizedMap(new LinkedHashMap<>());
    /** The images the engine holds, by name or tag. */
    public final java.util.Set<String> images = Collections.synchronizedSet(new java.util.HashSet<>());
    /** Volumes that exist, by "project_volume": their driver options (an empty map for a directory of the disk). */
    public final Map<String, Map<String, String>> volumeOptions = Collections.synchronizedMap(new LinkedHashMap<>());

    public RecordingEngine(String project) {
        this.project = project;
    }

    public String project() {
        return project;
    }

    /** A healthy stack: its database, nginx and {@code replicas} app replicas numbered from 1. */
    public static RecordingEngine running(String project, int replicas) {
        var engine = new RecordingEngine(project);
        engine.add("db", 1);
        engine.add("nginx", 1);
        for (int n = 1; n <= replicas; n++) {
            engine.add("app", n);
        }
        return engine;
    }

    /** A running container of {@code service}, healthy, on the frontend (app, nginx) or backend network. */
    public ServiceContainer add(String service, int number) {
        return put(service, number, "healthy");
    }

    /** A container that has just started: its health checks have not passed yet. */
    public ServiceContainer start(String service, int number) {
        pollsLeft.put(id(service, number), pollsUntilHealthy);
        return put(service, number, "starting");
    }

    /** A container whose process ended and that the engine has not started again: not running, no address. */
    public void exited(String service, int number) {
        var c = containers.get(id(service, number));
        containers.put(
                c.id(),
                new ServiceContainer(
                        c.id(),
                        c.name(),
                        c.service(),
                        c.number(),
                        "exited",
                        c.health(),
                        c.startedAt(),
                        Map.of(),
                        c.imageId(),
                        c.configHash(),
                        c.restartCount()));
    }

    private ServiceContainer put(String service, int number, String health) {
        String network = service.equals("app") || service.equals("nginx") ? "frontend" : "backend";
        int host = service.equals("app") ? 10 + number : service.equals("nginx") ? 2 : 100 + number;
        var container = new ServiceContainer(
                id(service, number),
                project + "_" + service + "_" + number,
                service,
                number,
                "running",
                Optional.of(health),
                Optional.of(Instant.now()),
                Map.of(project + "_" + network, "10.0.0." + host),
                declaredImage,
                declaredConfig,
                0);
        containers.put(container.id(), container);
        return container;
    }

    /** Hex, as the engine's are: what reads ids back (drain marks) accepts only those. */
    private static String id(String service, int number) {
        return String.format("%08x%04x0123456789abcdef", service.hashCode() & 0xffffffffL, number);
    }

    public List<ServiceContainer> all() {
        synchronized (containers) {
            return List.copyOf(containers.values());
        }
    }

    /** The position of the first log line that starts with {@code prefix}; fails the test when there is none. */
    public int indexOf(String prefix) {
        synchronized (log) {
            for (int i = 0; i < log.size(); i++) {
                if (log.get(i).startsWith(prefix)) {
                    return i;
                }
            }
        }
        throw new AssertionError("never asked '" + prefix + "...'; asked: " + log);
    }

    @Override
    public List<ServiceContainer> containers(String project) {
        synchronized (containers) {
            for (var entry : new ArrayList<>(pollsLeft.entrySet())) {
                int left = entry.getValue() - 1;
                if (left > 0) {
                    pollsLeft.put(entry.getKey(), left);
                } else {
                    pollsLeft.remove(entry.getKey());
                    var c = containers.get(entry.getKey());
                    if (c != null) {
                        containers.put(c.id(), withHealth(c, "healthy"));
                        log.add("healthy " + c.name());
                    }
                }
            }
            return List.copyOf(containers.values());
        }
    }

    private static ServiceContainer withHealth(ServiceContainer c, String health) {
        return new ServiceContainer(
                c.id(),
                c.name(),
                c.service(),
                c.number(),
                c.state(),
                Optional.of(health),
                c.startedAt(),
                c.networkIps(),
                c.imageId(),
                c.configHash(),
                c.restartCount());
    }

    /** What a replica answers on its own /ready, as {@link #answersReady} says. */
    public io.stackctl.health.HttpProbe.Result ready(ServiceContainer replica) {
        boolean ready = answersReady.test(replica);
        log.add("ready? " + replica.name() + ": " + (ready ? 200 : 503));
        return new io.stackctl.health.HttpProbe.Result("/ready", ready ? 200 : 503, 1, "");
    }

    @Override
    public List<ServiceContainer> containers(String project, String service) {
        return containers(project).stream()
                .filter(c -> c.service().equals(service))
                .toList();
    }

    /** What a container's healthcheck exits with when stackctl runs it itself, by service. */
    public final Map<String, Integer> healthcheckExits = Collections.synchronizedMap(new LinkedHashMap<>());

    @Override
    public ExecResult exec(String containerId, Duration timeout, String... command) {
        String line = String.join(" ", command);
        var target = containers.get(containerId);
        log.add("exec " + target.name() + ": " + line);
        if (List.of(command).equals(healthcheckCommand(containerId))) {
            return new ExecResult(healthcheckExits.getOrDefault(target.service(), 1), "");
        }
        if (line.contains("SHOW max_connections")) {
            return new ExecResult(0, maxConnections + "\n");
        }
        if (line.startsWith("nginx ")) {
            return new ExecResult(0, "");
        }
        synchronized (psql) {
            for (var answer : psql.entrySet()) {
                if (line.startsWith("psql ") && line.contains(answer.getKey())) {
                    return new ExecResult(0, answer.getValue() + "\n");
                }
            }
        }
        throw new AssertionError("exec not faked: " + line);
    }

    /** What each container's healthcheck runs, by service: none unless a test says. */
    public final Map<String, List<String>> healthchecks = Collections.synchronizedMap(new LinkedHashMap<>());

    @Override
    public List<String> healthcheckCommand(String containerId) {
        var container = containers.get(containerId);
        return container == null ? List.of() : healthchecks.getOrDefault(container.service(), List.of());
    }

    @Override
    public void stopAndRemove(String containerId, Duration grace) {
        var gone = containers.remove(containerId);
        log.add("stop " + gone.name());
    }

    @Override
    public ExecResult runBeside(String containerId, String name, Duration timeout, String network, String... command) {
        throw notFaked("one-off containers");
    }

    @Override
    public ExecResult runScratch(
            String containerId,
            String name,
            Duration timeout,
            String network,
            java.util.List<String> binds,
            String scratch,
            String... command) {
        throw notFaked("one-off containers");
    }

    @Override
    public void close() {}

    private static AssertionError notFaked(String what) {
        return new AssertionError(
                "the orchestration asked the engine for " + what + ", which this test did not expect");
    }

    @Override
    public String host() {
        return "fake://engine";
    }

    @Override
    public String serverVersion() {
        throw notFaked("serverVersion");
    }

    @Override
    public String rootDir() {
        throw notFaked("rootDir");
    }

    @Override
    public Optional<com.github.dockerjava.api.model.SwarmInfo> swarmManager() {
        return Optional.empty();
    }

    @Override
    public List<com.github.dockerjava.api.model.Service> stackServices(String project) {
        return List.of();
    }

    @Override
    public List<com.github.dockerjava.api.model.Task> runningTasks(String serviceName) {
        throw notFaked("runningTasks");
    }

    @Override
    public Optional<String> lastTaskFailure(String serviceName) {
        throw notFaked("lastTaskFailure");
    }

    @Override
    public Optional<com.github.dockerjava.api.model.ServiceUpdateStatus> updateStatus(String serviceName) {
        throw notFaked("updateStatus");
    }

    @Override
    public void createSecret(String name, String value, Map<String, String> labels) {
        throw notFaked("createSecret");
    }

    @Override
    public List<String> secretNames(String label, String value) {
        throw notFaked("secretNames");
    }

    @Override
    public boolean removeSecret(String name) {
        throw notFaked("removeSecret");
    }

    @Override
    public List<String> healthLog(String containerId) {
        return List.of();
    }

    @Override
    public long execStreaming(
            String containerId, OutputStream stdout, StringBuilder stderr, Duration timeout, String... command) {
        throw notFaked("execStreaming " + String.join(" ", command));
    }

    @Override
    public void copyToContainer(String containerId, Path hostFile, String containerDirectory) {
        throw notFaked("copyToContainer");
    }

    @Override
    public String imageIdOf(String containerId) {
        throw notFaked("imageIdOf");
    }

    @Override
    public java.util.OptionalLong crash(String containerId, Duration bound) {
        throw notFaked("crash");
    }

    @Override
    public void kill(String containerId) {
        throw notFaked("kill");
    }

    @Override
    public void cpuShares(String containerId, int shares) {
        var container = containers.get(containerId);
        log.add("cpu-shares " + (container == null ? containerId : container.name()) + " " + shares);
    }

    @Override
    public void stop(String containerId, Duration grace) {
        throw notFaked("stop");
    }

    @Override
    public void start(String containerId) {
        throw notFaked("start");
    }

    @Override
    public void pause(String containerId) {
        throw notFaked("pause");
    }

    @Override
    public void unpause(String containerId) {
        throw notFaked("unpause");
    }

    @Override
    public void restart(String containerId, Duration grace) {
        throw notFaked("restart");
    }

    @Override
    public Map<String, String> labelsOf(String containerId) {
        throw notFaked("labelsOf");
    }

    @Override
    public java.util.Optional<String> mountSource(String containerId, String destination) {
        throw notFaked("mountSource");
    }

    @Override
    public Closeable onContainerEvents(
            String project, java.util.function.Consumer<io.stackctl.engine.ContainerEvent> listener, Runnable ended) {
        throw notFaked("onContainerEvents");
    }

    /** Every image name resolves to the image compose would start now. */
    @Override
    public Optional<String> imageId(String image) {
        return Optional.of(declaredImage);
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
        log.add("tag " + imageId + " " + repository + ":" + tag);
    }

    @Override
    public String logTail(String containerId, int lines) {
        return "";
    }

    @Override
    public Optional<Map<String, String>> volumeOptions(String project, String volume) {
        return Optional.ofNullable(volumeOptions.get(project + "_" + volume));
    }

    @Override
    public boolean volumeExists(String project, String volume) {
        throw notFaked("volumeExists");
    }

    @Override
    public String startBeside(HelperSpec spec) {
        throw notFaked("helper containers");
    }

    @Override
    public List<Helper> helpers(Map<String, String> labels) {
        return List.of();
    }

    @Override
    public void remove(String containerId) {
        throw notFaked("remove");
    }

    @Override
    public String cloneReplica(String sourceId, int number) {
        throw notFaked("cloneReplica");
    }

    @Override
    public boolean removeVolume(String project, String volume) {
        throw notFaked("volume removal");
    }

    @Override
    public void buildImage(java.nio.file.Path context, String tag, Map<String, String> buildArgs) {
        throw notFaked("image builds");
    }

    /** "IMAGE LABEL" to the label's value. */
    public final Map<String, String> imageLabels = Collections.synchronizedMap(new LinkedHashMap<>());

    @Override
    public Optional<String> imageLabel(String image, String label) {
        return Optional.ofNullable(imageLabels.get(image + " " + label));
    }

    @Override
    public boolean imageExists(String image) {
        log.add("image? " + image);
        return images.contains(image);
    }
}
