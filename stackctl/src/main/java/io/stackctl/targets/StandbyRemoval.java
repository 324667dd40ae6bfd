package io.stackctl.targets;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code up --no-standby} does to a stack that had one: the primary stops waiting for it, then its container and
 * its data volume go (a clone of the primary, nothing of its own; a later {@code --standby} clones it afresh, as a
 * volume left behind would be on an old timeline). Refused while the standby is the primary.
 */
final class StandbyRemoval {

    private final Stack stack;
    private final List<ServiceContainer> containers;

    private StandbyRemoval(Stack stack, List<ServiceContainer> containers) {
        this.stack = stack;
        this.containers = containers;
    }

    /** Empty when there is nothing to remove; exit 3 when the standby is the primary now. */
    static Optional<StandbyRemoval> needed(Stack stack) {
        var containers = stack.engine().containers(stack.project(), Standby.SERVICE);
        if (containers.isEmpty()) {
            // compose v1 makes every volume of the file, the profile's too: an empty one is no standby.
            return Optional.empty();
        }
        if (stack.primaryRecord().primary().equals(Standby.SERVICE)) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    Standby.SERVICE + " is the primary database node (a failover made it so): turning the standby off"
                            + " would remove the primary's data",
                    "make db the primary first: bin/stackctl failover --to " + Stack.DB
                            + "; then bin/stackctl up --no-standby");
        }
        return Optional.of(new StandbyRemoval(stack, containers));
    }

    /** Run once compose/secrets/db/replication names db alone. */
    void run(PrintWriter progress) {
        // At once, not at the primary's next health check: until then a synchronous commit waits for the standby.
        stack.engine().containers(stack.project(), Stack.DB).stream()
                .filter(ServiceContainer::running)
                .forEach(db -> stack.engine()
                        .exec(db.id(), Duration.ofSeconds(20), "bash", "/stack/db/ensure-replication.sh"));
        for (ServiceContainer standby : containers) {
            progress.printf("database standby off: removing %s and its data%n", standby.name());
            progress.flush();
            stack.engine().stopAndRemove(standby.id(), Duration.ofSeconds(20));
        }
        stack.engine().removeVolume(stack.project(), Standby.VOLUME);
    }

    /**
     * Before a standby is turned on where there was none running: whatever its volume holds is from another time (a
     * clone on an old timeline, or compose's empty volume), so it goes, and the new standby is cloned afresh.
     */
    static void clearLeftData(Stack stack, PrintWriter progress) {
        // Never the primary's: a record naming db-standby means its volume holds the cluster's data.
        if (!stack.primaryRecord().primary().equals(Standby.SERVICE)
                && stack.engine().containers(stack.project(), Standby.SERVICE).isEmpty()
                && stack.engine().removeVolume(stack.project(), Standby.VOLUME)) {
            progress.printf("database standby on: it is cloned afresh from the primary%n");
            progress.flush();
        }
    }
}
