package io.stackctl.deploy;

import io.stackctl.engine.ServiceContainer;
import java.util.List;

/**
 * What a rolling deploy asks after a batch's new replicas took their share of traffic and before their old ones
 * stop: whether the rollout may go on. Throws {@link RollingDeploy.RolloutFailed} when not; the caller rolls back.
 */
interface BatchGate {

    /** No question beyond the readiness and the error watch every batch passes. */
    BatchGate NONE = (fresh, whileWaiting) -> {};

    /** @param whileWaiting run between polls while the gate waits (the rollout's own error check) */
    void judge(List<ServiceContainer> fresh, Runnable whileWaiting);
}
