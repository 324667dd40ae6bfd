package io.stackctl.engine;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What stackctl asks of a container engine: the project's containers with health and addresses, exec, stop, start
 * and kill, images, secrets and Swarm services. {@link DockerEngine} is the Docker engine through docker-java; tests
 * of the orchestration stand a recording fake in its place.
 */
public interface Engine extends AutoCloseable {

    /** The result of a command run in a container: its exit code and its output, stdout and stderr together. */
    record ExecResult(long exitCode, String output) {}

    /** Connects to the engine {@code DOCKER_HOST} names (or the local one) and pings it; unreachable is exit 3. */
    static Engine connect(Map<String, String> environment) {
        return DockerEngine.connect(environment);
    }

    /** The compose project (or Swarm stack) a container's labels name; empty when none. */
    static String projectOf(Map<String, String> labels) {
        return DockerEngine.projectOf(labels);
    }

    /** Where the engine is, as DOCKER_HOST names it. */
    String host();

    String serverVersion();

    /** The engine's data folder (images, volumes), for the disk check. */
    String rootDir();

    /**
     * Every container of the project on this engine, with health and addresses, ordered by service and number: a
     * compose project's, or the tasks of the Swarm stack of that name that run here (their slot is the number).
     */
    List<ServiceContainer> containers(String project);

    /** This engine's Swarm membership: empty unless it is an active manager (which can deploy stacks). */
    Optional<com.github.dockerjava.api.model.SwarmInfo> swarmManager();

    /** The Swarm services of stack {@code project}; empty also when the engine is not a Swarm manager. */
    List<com.github.dockerjava.api.model.Service> stackServices(String project);

    /** The tasks of a Swarm service that are running (healthy, when it has a healthcheck), on any node. */
    List<com.github.dockerjava.api.model.Task> runningTasks(String serviceName);

    /** Why the most recent failed task of a Swarm service failed ("task: non-zero exit (2)"), if one did. */
    Optional<String> lastTaskFailure(String serviceName);

    /** The last update's state and message ("rollback_completed", ...), when the service was ever updated. */
    Optional<com.github.dockerjava.api.model.ServiceUpdateStatus> updateStatus(String serviceName);

    /** Creates a Swarm secret (its value never touches a file or a command line); labels say whose it is. */
    void createSecret(String name, String value, Map<String, String> labels);

    /** Names of the Swarm secrets carrying {@code label=value}. */
    List<String> secretNames(String label, String value);

    /** False when the secret is still used by a service (Swarm refuses), or already gone. */
    boolean removeSecret(String name);

    /** The project's containers of one service. */
    List<ServiceContainer> containers(String project, String service);

    /** The last health-check outputs of a container, newest last, for failure messages. */
    List<String> healthLog(String containerId);

    /** Runs a command inside a container and returns its exit code and output (stdout, then stderr). */
    ExecResult exec(String containerId, Duration timeout, String... command);

    /**
     * The command a container's healthcheck runs, as an exec takes it ({@code CMD-SHELL} through {@code /bin/sh -c});
     * empty when it has none.
     */
    List<String> healthcheckCommand(String containerId);

    /**
     * Runs a command inside a container and streams its stdout, byte for byte, to {@code stdout}; stderr is
     * collected as text. Meant for binary output such as a {@code pg_dump} archive, so no TTY is attached.
     */
    long execStreaming(
            String containerId, OutputStream stdout, StringBuilder stderr, Duration timeout, String... command);

    /** Copies one host file into a directory of the container (the engine tars it on the way). */
    void copyToContainer(String containerId, Path hostFile, String containerDirectory);

    /** SIGTERM, then SIGKILL after {@code grace}: the app drains its in-flight requests meanwhile. */
    void stopAndRemove(String containerId, Duration grace);

    /**
     * Runs {@code command} as root in a one-off container named {@code name}, of {@code containerId}'s image and with
     * its volumes (docker run --rm --volumes-from), environment and extra hosts, on {@code network} (none: no
     * network at all), and returns its exit code and output. A container left by an
     * earlier run of the same name (its caller killed) is removed first: what it did is the command's to redo.
     */
    ExecResult runBeside(String containerId, String name, Duration timeout, String network, String... command);

    /**
     * Runs {@code command} as root in a one-off container of {@code containerId}'s image, with its environment and
     * extra hosts but none of its volumes: only {@code binds} ("volume-or-host-path:/path[:ro]") and a fresh anonymous
     * volume at {@code scratch}, removed with the container. For work beside a live service that must not touch it.
     */
    ExecResult runScratch(
            String containerId,
            String name,
            Duration timeout,
            String network,
            java.util.List<String> binds,
            String scratch,
            String... command);

    String imageIdOf(String containerId);

    /**
     * Crashes a container's workload the way the kernel's OOM killer would, through the engine only (so it works, and
     * harms nothing else, with a remote DOCKER_HOST): SIGKILL to every process of the container but its init. With an
     * init as PID 1 (compose's {@code init: true}) the container then exits on its own and its restart policy applies,
     * unlike {@code docker kill}, which the engine counts as a deliberate stop. Returns when the kill was done (its
     * {@link System#nanoTime()}: a busy engine may take a second to start the exec, which is not the fault's time);
     * empty when the container kept running (no init: a process cannot kill its namespace's PID 1).
     */
    java.util.OptionalLong crash(String containerId, Duration bound);

    /** {@code docker kill}: SIGKILL. The engine treats it as a deliberate stop, so no restart policy applies. */
    void kill(String containerId);

    /**
     * {@code docker update --cpu-shares}: the container's weight against the others while the host's CPUs are all busy
     * (it caps nothing on an idle host). It outlives a restart of the container.
     */
    void cpuShares(String containerId, int shares);

    void stop(String containerId, Duration grace);

    void start(String containerId);

    /** {@code docker pause}: every process frozen (the cgroup freezer); nothing answers, nothing exits. */
    void pause(String containerId);

    /** {@code docker unpause}; nothing when it is not paused. */
    void unpause(String containerId);

    void restart(String containerId, Duration grace);

    /** A container's labels, e.g. to learn its own compose project from inside it. */
    Map<String, String> labelsOf(String containerId);

    /** Where on the engine's host a container's mount at {@code destination} comes from (a bind's host path). */
    Optional<String> mountSource(String containerId, String destination);

    /**
     * Calls {@code listener} on every lifecycle event of the project's containers (created, started, died, stopped,
     * paused, removed, health changed; not a health check's execs) until the stream ends; {@code ended} runs then, as
     * when the engine restarts. Close the result to stop listening.
     */
    java.io.Closeable onContainerEvents(
            String project, java.util.function.Consumer<ContainerEvent> listener, Runnable ended);

    /** The id ({@code sha256:...}) of a local image, or empty when there is none by that name. */
    Optional<String> imageId(String image);

    /** Gives an image one more name, e.g. a release tag that keeps it from being pruned. */
    void tag(String imageId, String repository, String tag);

    /** The last lines a container printed, for failure messages. */
    String logTail(String containerId, int lines);

    /** Whether compose made the named volume for this project (its data outlives the project's containers). */
    boolean volumeExists(String project, String volume);

    /**
     * The driver options of the named volume compose made for this project (empty map: none, a directory of the
     * engine's disk), or empty when there is no such volume.
     */
    Optional<Map<String, String>> volumeOptions(String project, String volume);

    boolean imageExists(String image);

    /** A label of a local image ({@code LABEL} in its Dockerfile), empty when the image or the label is missing. */
    Optional<String> imageLabel(String image, String label);

    /** A container stackctl started for a while beside the stack's (a fault helper), found again by its labels. */
    record Helper(String id, String name, boolean running, Optional<Long> exitCode, Map<String, String> labels) {}

    /**
     * A helper container beside {@code targetId}: in its network namespace (docker run --network container:ID) and,
     * with {@code joinPidNamespace}, its pid namespace too (--pid container:ID: to signal the target's processes);
     * with {@code shareVolumes}, its volumes mounted where it has them (--volumes-from ID: to fill its disk).
     */
    record HelperSpec(
            String targetId,
            boolean joinPidNamespace,
            String image,
            String name,
            Map<String, String> labels,
            Map<String, String> environment,
            List<String> capabilities,
            List<String> command,
            boolean shareVolumes) {

        public HelperSpec(
                String targetId,
                boolean joinPidNamespace,
                String image,
                String name,
                Map<String, String> labels,
                Map<String, String> environment,
                List<String> capabilities,
                List<String> command) {
            this(targetId, joinPidNamespace, image, name, labels, environment, capabilities, command, false);
        }
    }

    /**
     * Starts a helper detached, with the given capabilities and labels, and returns its id. A container left by an
     * earlier run of the same name is removed first. It is not removed when it exits: its exit code says whether it
     * undid what it did.
     */
    String startBeside(HelperSpec spec);

    /** Containers carrying every one of {@code labels}, running or not. */
    List<Helper> helpers(Map<String, String> labels);

    /** Removes a project's named volume (compose's label names it); false when there was none. */
    boolean removeVolume(String project, String volume);

    /** Removes a container, running or not (SIGKILL first); nothing when it is already gone. */
    void remove(String containerId);

    /**
     * Starts one more replica of a compose service, as {@code docker compose up --scale} does: a copy of {@code
     * sourceId}'s configuration (its image by id, environment, mounts, limits, health check, networks and the
     * service's alias on each) under the compose labels with container number {@code number}, so compose counts
     * it as its own. Returns the new container's id.
     */
    String cloneReplica(String sourceId, int number);

    /** Builds {@code tag} from the Dockerfile in {@code context}, with build arguments, as docker build does. */
    void buildImage(Path context, String tag, Map<String, String> buildArgs);

    /** Closes the connection; an engine is not asked anything after. */
    @Override
    void close();
}
