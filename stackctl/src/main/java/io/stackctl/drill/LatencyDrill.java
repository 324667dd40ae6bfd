package io.stackctl.drill;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.NetworkFaults;
import java.util.List;

/**
 * A slow dependency, not a dead one: every replica's connections to one service pass through a proxy in the
 * replica's namespace that delays each answer by the latency +/- the jitter (NetworkFaults.Mode.Latency: the app
 * opens its pooled connections again on SIGHUP, so they go through it).
 */
abstract class LatencyDrill extends NetworkFaultDrill {

    final int latencyMs;
    final int jitterMs;

    /** @throws IllegalArgumentException for a latency or jitter out of range, with what is allowed */
    LatencyDrill(int latencyMs, int jitterMs) {
        new NetworkFaults.Mode.Latency(latencyMs, jitterMs); // its checks, now: before any load or fault
        this.latencyMs = latencyMs;
        this.jitterMs = jitterMs;
    }

    /** The service whose answers are delayed. */
    abstract String service();

    /** Its ports the replicas may use (e.g. plain and TLS). */
    abstract List<Integer> ports();

    @Override
    final NetworkFaults.Mode mode() {
        return new NetworkFaults.Mode.Latency(latencyMs, jitterMs);
    }

    @Override
    List<ServiceContainer> targets(DrillContext context) {
        List<ServiceContainer> replicas = context.stack().replicas();
        if (replicas.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION, name() + " found no running replica", "bin/stackctl up");
        }
        return replicas;
    }

    /** The service's address on the network the replica reaches it by (its name resolves to it there). */
    @Override
    List<String> peers(DrillContext context, ServiceContainer target) {
        ServiceContainer service = context.stack().requireService(service());
        String ports = String.join(",", ports().stream().map(String::valueOf).toList());
        return List.of(service.networkIps().get(sharedNetwork(target, service)) + ":" + ports);
    }

    /** A network both containers are on, with an address: the one {@code from} reaches {@code to} by. */
    static String sharedNetwork(ServiceContainer from, ServiceContainer to) {
        return from.networkIps().keySet().stream()
                .filter(network -> !to.networkIps().getOrDefault(network, "").isBlank())
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        from.name() + " shares no network with " + to.name(),
                        "recreate the stack: bin/stackctl up"));
    }

    /** What a delayed call cannot take less than: the latency less the jitter (half the latency at most jitter). */
    long slowAtLeast() {
        return Math.max(latencyMs - jitterMs, latencyMs / 2);
    }

    static long median(List<Sample> samples) {
        return percentile(samples, 50);
    }
}
