package io.stackctl.targets;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.util.Optional;

/** Picks a stack's target once, from where it runs; the one place that asks. */
public final class Targets {

    /** The targets {@code up --target} takes. */
    public enum Kind {
        compose,
        swarm
    }

    private Targets() {}

    /** Where the stack runs now; compose for a stack that does not run. */
    public static Target of(Stack stack, PrintWriter progress) {
        return stack.swarm() ? new SwarmTarget(stack, progress) : new ComposeTarget(stack, progress);
    }

    /** For {@code up}: the one asked for, else where the stack runs; a running stack never moves by itself. */
    public static Target forUp(Stack stack, Optional<Kind> asked, PrintWriter progress) {
        boolean onSwarm = stack.swarm();
        boolean running = !stack.containers().isEmpty();
        if (asked.equals(Optional.of(Kind.swarm)) && running && !onSwarm) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the stack '" + stack.project() + "' runs under compose on this host, not on Swarm",
                    "move it: bin/stackctl backup, bin/stackctl down, bin/stackctl up --target swarm, bin/stackctl"
                            + " restore latest");
        }
        if (asked.equals(Optional.of(Kind.compose)) && onSwarm) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the stack '" + stack.project() + "' runs on Swarm, not under compose",
                    "keep --target swarm (or leave --target out), or move it: backup, down, up --target compose, restore");
        }
        return onSwarm || asked.equals(Optional.of(Kind.swarm))
                ? new SwarmTarget(stack, progress)
                : new ComposeTarget(stack, progress);
    }
}
