package io.stackctl.targets;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.RollingDeploy;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import io.stackctl.swarm.Swarm;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stack on Docker Swarm ({@code up --target swarm}): Swarm places, restarts and rolls the tasks (one at a time,
 * start-first, rolled back by Swarm itself), and Docker's DNS is nginx's upstream. It keeps one previous spec, not a
 * release history.
 */
final class SwarmTarget implements Target {

    /** The drills proven on Swarm; the others stop and start containers in place, which Swarm replaces instead. */
    static final List<String> DRILLS = List.of("kill-replica", "nginx-reload");

    private final Stack stack;
    private final Swarm swarm;

    SwarmTarget(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.swarm = new Swarm(stack, stack.runner(), progress);
    }

    @Override
    public String name() {
        return "swarm";
    }

    @Override
    public Stack stack() {
        return stack;
    }

    @Override
    public String nativeView() {
        return "swarm: docker stack ps " + stack.project() + " (tasks on this node are listed above)";
    }

    @Override
    public void requireUsable() {
        swarm.requireManager();
    }

    /** The service's spec is the truth on Swarm; before the stack exists, what the operator asked for last. */
    @Override
    public int desiredReplicas() {
        return swarm.desiredReplicas().or(() -> stack.desiredReplicas().get()).orElse(DEFAULT_REPLICAS);
    }

    @Override
    public void provision(int replicas, RollingDeploy.Options options, Duration waitTimeout) {
        swarm.deploy(replicas);
        stack.forgetTarget();
    }

    @Override
    public void provisioned() {}

    /**
     * Swarm's own update: one task at a time, start-first, rolled back by Swarm when a new task fails. The compose
     * rollout's batch and error watch do not apply; blue/green cannot be asked of it.
     */
    @Override
    public Outcome deploy(RollingDeploy.Options options) {
        if (options.blueGreen()) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--strategy bluegreen is for the compose target; Swarm rolls one task at a time",
                    "drop --strategy on a Swarm stack");
        }
        int replicas = desiredReplicas();
        long start = System.nanoTime();
        if (options.force()) {
            swarm.redeploy(replicas);
        } else {
            swarm.deploy(replicas);
        }
        double seconds = secondsSince(start);
        return outcome(
                "%s: %d task(s) run the declared release (%.1fs)"
                        .formatted(swarm.service(Stack.APP), replicas, seconds),
                replicas,
                seconds);
    }

    @Override
    public Outcome rollback(Optional<Integer> release, RollingDeploy.Options options) {
        if (release.isPresent()) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--to is for the compose target's release history; Swarm keeps one previous spec",
                    "run bin/stackctl rollback without --to (docker service rollback)");
        }
        int replicas = desiredReplicas();
        long start = System.nanoTime();
        swarm.rollback(replicas);
        return outcome(
                swarm.service(Stack.APP) + " runs its previous spec again; the next up or deploy applies compose/.env"
                        + " again",
                replicas,
                secondsSince(start));
    }

    private static double secondsSince(long start) {
        return Math.round((System.nanoTime() - start) / 1e8) / 10.0;
    }

    private Outcome outcome(String summary, int replicas, double seconds) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("changed", true);
        document.put("service", swarm.service(Stack.APP));
        document.put("tasks", replicas);
        document.put("seconds", seconds);
        return new Outcome(summary, document);
    }

    /** Swarm adds and removes the tasks (a removed one leaves DNS before it is stopped); this waits for the count. */
    @Override
    public Scaler.Change scale(int replicas, Duration waitTimeout) {
        var before = stack.replicas();
        if (replicas > before.size()) {
            stack.connectionBudget().require(replicas, 1, "scaling app to " + replicas + " replicas");
        }
        swarm.scale(replicas);
        stack.desiredReplicas().set(replicas);
        var after = stack.replicas();
        var beforeIds = before.stream().map(ServiceContainer::id).toList();
        var afterIds = after.stream().map(ServiceContainer::id).toList();
        return new Scaler.Change(
                before.size(),
                after.size(),
                after.stream()
                        .filter(c -> !beforeIds.contains(c.id()))
                        .map(ServiceContainer::name)
                        .toList(),
                before.stream()
                        .filter(c -> !afterIds.contains(c.id()))
                        .map(ServiceContainer::name)
                        .toList());
    }

    @Override
    public void remove(boolean volumes) {
        swarm.remove(volumes);
    }

    @Override
    public int logs(Optional<String> service, boolean follow, int tail) {
        return swarm.logs(service, follow, tail);
    }

    @Override
    public List<String> drills(List<String> asked) {
        if (asked.size() == 1 && !DRILLS.contains(asked.get(0))) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "drill " + asked.get(0) + " is for the compose target; on Swarm: " + String.join(", ", DRILLS),
                    "run bin/stackctl drill kill-replica (Swarm replaces the crashed task) or drill all");
        }
        return asked.stream().filter(DRILLS::contains).toList();
    }

    /** Swarm never restarts a crashed task's container: it starts a new task in the same slot. */
    @Override
    public Optional<ServiceContainer> successorOf(ServiceContainer crashed) {
        return stack.engine().containers(stack.project(), Stack.APP).stream()
                .filter(c -> c.number() == crashed.number() && c.running() && !c.id().equals(crashed.id()))
                .findFirst();
    }
}
