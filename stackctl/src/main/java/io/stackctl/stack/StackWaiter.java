package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Waits until containers are healthy, printing one progress line per container as it changes state. Compose v1
 * has no {@code up --wait}, so stackctl does the waiting for both flavours. On timeout it names the container,
 * its last health-check output and the likely cause, and fails with exit code 1.
 *
 * <p>A replica still "starting" to the engine counts once it answers {@code /ready} when asked directly, the check its
 * healthcheck runs: the engine runs its first check a whole interval after the start (Docker 25's start_interval
 * is not in the engines stackctl supports), so a replica ready at 7.5 s was healthy only at 10 s, and every scale and
 * every {@code up} waited for that.
 */
public final class StackWaiter {

    private static final Duration POLL = Duration.ofMillis(500);

    private final Engine engine;
    private final String project;
    private final PrintWriter progress;
    private final Predicate<ServiceContainer> readyEarly;

    /** @param readyEarly whether a container the engine still calls "starting" answers its readiness check now */
    public StackWaiter(Engine engine, String project, PrintWriter progress, Predicate<ServiceContainer> readyEarly) {
        this.engine = engine;
        this.project = project;
        this.progress = progress;
        this.readyEarly = readyEarly;
    }

    /** Waits for {@code expected} healthy containers per service among those {@code included}. */
    public List<ServiceContainer> awaitHealthy(
            Map<String, Integer> expected, Predicate<ServiceContainer> included, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, String> lastSeen = new HashMap<>();
        while (true) {
            List<ServiceContainer> containers =
                    engine.containers(project).stream().filter(included).toList();
            Set<String> early = containers.stream()
                    .filter(c -> expected.containsKey(c.service()) && c.starting() && readyEarly.test(c))
                    .map(ServiceContainer::id)
                    .collect(Collectors.toSet());
            for (ServiceContainer container : containers) {
                String state = early.contains(container.id()) ? "ready" : container.healthText();
                if (!state.equals(lastSeen.put(container.name(), state))) {
                    progress.printf("  %-28s %-10s %5.1fs%n", container.name(), state, seconds(start));
                    progress.flush();
                }
            }
            if (allHealthy(expected, containers, early)) {
                return containers;
            }
            if (System.nanoTime() > deadline) {
                throw timedOut(expected, containers, timeout);
            }
            Pause.sleep(POLL, "interrupted while waiting for the stack", "run it again");
        }
    }

    static boolean allHealthy(Map<String, Integer> expected, List<ServiceContainer> containers, Set<String> early) {
        return expected.entrySet().stream()
                .allMatch(e -> containers.stream()
                                .filter(c -> c.service().equals(e.getKey()) && (c.healthy() || early.contains(c.id())))
                                .count()
                        >= e.getValue());
    }

    private StackctlException timedOut(
            Map<String, Integer> expected, List<ServiceContainer> containers, Duration timeout) {
        ServiceContainer culprit = containers.stream()
                .filter(c -> expected.containsKey(c.service()) && !c.healthy())
                .findFirst()
                .orElse(null);
        if (culprit == null) {
            return new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "not every service reached its replica count within " + timeout.toSeconds() + " s: expected "
                            + expected,
                    "stackctl status shows what is running; stackctl logs SERVICE shows why");
        }
        List<String> log = engine.healthLog(culprit.id());
        String last = log.isEmpty() ? "no health check output yet" : log.get(log.size() - 1);
        return new StackctlException(
                ExitCodes.CHECK_FAILED,
                "%s is %s after %d s; last health check: %s"
                        .formatted(culprit.name(), culprit.healthText(), timeout.toSeconds(), last),
                likelyCause(culprit) + "; see: stackctl logs " + culprit.service());
    }

    static String likelyCause(ServiceContainer container) {
        return switch (container.service()) {
            case "app" ->
                "the API cannot reach PostgreSQL, or is still migrating (raise --wait-timeout on a slow host)";
            case "db" ->
                "PostgreSQL is still initialising its volume, or the volume holds data from another password"
                        + " (stackctl down --volumes starts afresh)";
            case "db-standby" ->
                "the standby is still cloning from the primary, or cannot reach it with compose/secrets/db's"
                        + " replication password (its log says which)";
            case "cache" -> "Redis did not start: a bad REDIS_PASSWORD in compose/.env, or its AOF is damaged";
            case "nginx" -> "nginx did not load its configuration (nginx/nginx.conf or the rendered upstream)";
            default -> "the service did not become healthy";
        };
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
