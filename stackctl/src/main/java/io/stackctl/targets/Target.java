package io.stackctl.targets;

import io.stackctl.deploy.RollingDeploy;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What differs between the orchestrators a stack runs on. The stack's target is picked once ({@link Targets}); a
 * command or drill asks it to act and never asks which one it is.
 */
public interface Target {

    /** A new stack starts with this many app replicas. */
    int DEFAULT_REPLICAS = 3;

    /** {@code compose} or {@code swarm}, as {@code up --target} and {@code status -o json} spell it. */
    String name();

    Stack stack();

    /** Where an operator looks with the orchestrator's own tools, for {@code status}. */
    String nativeView();

    /** Exit 3 with the fix unless this target can take a change from here (Swarm: this engine is a manager). */
    void requireUsable();

    /**
     * The app replica count to keep: what the operator asked for last (up --replicas, scale), else what runs, else
     * {@link #DEFAULT_REPLICAS}. Its one home: every command that needs the count asks here.
     */
    int desiredReplicas();

    /** Creates the stack, or converges a running one to compose.yaml and compose/.env; returns once all is healthy. */
    void provision(int replicas, RollingDeploy.Options options, Duration waitTimeout);

    /** After {@link #provision} and nginx answering: record what now runs, where the target keeps a history. */
    void provisioned();

    /** Rolls the app replicas over to the declared release (every one with {@code options.force()}). */
    Outcome deploy(RollingDeploy.Options options);

    /** Back to the previous release that served, or {@code release}; exit 2 where the target keeps no history. */
    Outcome rollback(Optional<Integer> release, RollingDeploy.Options options);

    /** Changes the app replica count with no dropped request, and remembers it as the desired count. */
    Scaler.Change scale(int replicas, Duration waitTimeout);

    /** Removes the stack's containers and networks, and its volumes with {@code volumes}. */
    void remove(boolean volumes);

    /** Streams logs of one service or all; the orchestrator CLI's exit code. */
    int logs(Optional<String> service, boolean follow, int tail);

    /** Of the drills asked for, those that run on this target; exit 2 when the one asked for cannot. */
    List<String> drills(List<String> asked);

    /** After a replica crashed: its container back, or the one the orchestrator started in its place. */
    Optional<ServiceContainer> successorOf(ServiceContainer crashed);
}
