package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Zero-downtime scaling of the app service. Up: start the new replicas, wait until they are ready, then add
 * them to nginx's upstream. Down: take the highest-numbered replicas out of the upstream, reload, give nginx's
 * old workers time to finish, then stop them with SIGTERM so their own in-flight requests finish too.
 */
public final class Scaler {

    public static final Duration DRAIN = Duration.ofSeconds(2);

    private final Stack stack;
    private final PrintWriter progress;

    public Scaler(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
    }

    public record Change(int before, int after, List<String> added, List<String> removed) {}

    public Change scaleTo(int target, Duration timeout) {
        validate(target);
        List<ServiceContainer> current = sorted(stack.replicas());
        int before = current.size();
        if (target > before) {
            stack.connectionBudget().require(target, 1, "scaling app to " + target + " replicas");
            // The new replicas mount the folder compose/.env names: it must be there, whole.
            new AppSecretFiles(stack.files())
                    .ensureCurrent(EnvFile.load(stack.files().envFile()));
            stack.compose().scaleApp(target);
            List<ServiceContainer> ready = sorted(stack
                    .waiter(progress)
                    .awaitHealthy(Map.of(Stack.APP, target), c -> c.service().equals(Stack.APP) && c.running(), timeout)
                    .stream()
                    .filter(stack::serving)
                    .toList());
            stack.route(ready);
            List<String> added = ready.stream()
                    .filter(c -> current.stream().noneMatch(old -> old.id().equals(c.id())))
                    .map(ServiceContainer::name)
                    .toList();
            return new Change(before, ready.size(), added, List.of());
        }
        if (target < before) {
            List<ServiceContainer> keep = current.subList(0, target);
            List<ServiceContainer> victims = current.subList(target, before);
            progress.printf(
                    "  draining %s%n",
                    victims.stream().map(ServiceContainer::name).toList());
            progress.flush();
            stack.drainAndStop(keep, victims, DRAIN);
            // compose now finds exactly the kept replicas: this records the new scale and changes nothing.
            stack.compose().scaleApp(target);
            return new Change(
                    before,
                    target,
                    List.of(),
                    victims.stream().map(ServiceContainer::name).toList());
        }
        // Same count: make sure the upstream matches the healthy replicas (heals a stale upstream).
        stack.route(current.stream().filter(ServiceContainer::healthy).toList());
        return new Change(before, before, List.of(), List.of());
    }

    public static void validate(int target) {
        if (target < 1 || target > Stack.MAX_REPLICAS) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "replicas must be from 1 to " + Stack.MAX_REPLICAS + ", got " + target,
                    "use stackctl down to stop the stack; more than " + Stack.MAX_REPLICAS + " replicas needs Swarm");
        }
    }

    private static List<ServiceContainer> sorted(List<ServiceContainer> replicas) {
        return replicas.stream()
                .sorted(Comparator.comparingInt(ServiceContainer::number))
                .toList();
    }
}
