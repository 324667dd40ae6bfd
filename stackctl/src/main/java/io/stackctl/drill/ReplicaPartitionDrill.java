package io.stackctl.drill;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One replica cut off from PostgreSQL while nginx still routes to it: it must say it is not ready and leave the
 * rotation (the upstream agent's probes) within seconds, come back as soon as the path heals, and no idempotent
 * request may fail meanwhile.
 */
public final class ReplicaPartitionDrill extends NetworkFaultDrill {

    static final long OUT_WITHIN_MS = 5_000;
    static final long BACK_WITHIN_MS = 5_000;
    /**
     * The upstream file changes first; nginx's old workers finish what they hold after its graceful reload, and this
     * drill notices the change on its next 200 ms poll. A request sent within this of the change may still reach the
     * replica (CI: one list 100 ms after).
     */
    static final long RELOAD_GRACE_MS = 1_000;

    private ServiceContainer victim;
    private String victimAddress;

    @Override
    public String name() {
        return "replica-partition";
    }

    @Override
    List<ServiceContainer> targets(DrillContext context) {
        List<ServiceContainer> replicas = context.stack().replicas();
        if (replicas.size() < 2) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "replica-partition needs at least 2 replicas (the others serve while one is cut off); found "
                            + replicas.size(),
                    "scale first: bin/stackctl scale app=3");
        }
        victim = replicas.get(ThreadLocalRandom.current().nextInt(replicas.size()));
        victimAddress = Stack.frontendIp(victim);
        return List.of(victim);
    }

    @Override
    List<String> peers(DrillContext context, ServiceContainer target) {
        ServiceContainer db = context.stack().requirePrimaryDb();
        return db.networkIps().values().stream()
                .filter(ip -> !ip.isBlank())
                .distinct()
                .toList();
    }

    private boolean inRotation(DrillContext context) {
        return context.stack().upstreamMembers().contains(victimAddress);
    }

    @Override
    void during(DrillContext context, long faultAt, Map<String, Object> figures) {
        boolean out = DrillContext.await(Duration.ofMillis(OUT_WITHIN_MS + 10_000), () -> !inRotation(context));
        long outMs = out ? context.load().now() - faultAt : -1;
        figures.put("victim", victim.name());
        figures.put("out_of_rotation_ms", outMs);
        context.say(
                out ? "%s left nginx's upstream after %d ms" : "%s was still in nginx's upstream after %d ms",
                victim.name(),
                out ? outMs : context.load().now() - faultAt);
    }

    @Override
    void after(DrillContext context, long healedAt, Map<String, Object> figures) {
        boolean back = DrillContext.await(Duration.ofMillis(BACK_WITHIN_MS + 20_000), () -> inRotation(context));
        long backMs = back ? context.load().now() - healedAt : -1;
        figures.put("back_in_rotation_ms", backMs);
        context.say(
                back ? "%s is back in nginx's upstream %d ms after the partition's end" : "%s did not come back",
                victim.name(),
                backMs);
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        long outMs = ((Number) figures.getOrDefault("out_of_rotation_ms", -1L)).longValue();
        long backMs = ((Number) figures.getOrDefault("back_in_rotation_ms", -1L)).longValue();
        long outAt = outMs >= 0 ? faultAt + outMs + RELOAD_GRACE_MS : Long.MAX_VALUE;
        String victimId = victim.shortId();
        var failedIdempotent =
                samples.stream().filter(s -> s.failed() && s.idempotent()).toList();
        // Until the agent takes it out, the cut-off replica gets its share of requests, and those that need the
        // database end in the request budget's 503 (nginx retries an idempotent request elsewhere for a dead
        // connection, never for an answer: a 503 counted as a failed attempt would mark every replica down in a
        // database outage). Any other failure, or one begun once it had left the rotation, is the drill's to report.
        var unexplained = failedIdempotent.stream()
                .filter(s -> s.status() != 503 || !s.instance().equals(victimId) || s.startMs() >= outAt)
                .toList();
        figures.put("failed_idempotent", failedIdempotent.size());
        return List.of(
                Hypothesis.check(
                        "the cut-off replica leaves nginx's rotation within " + OUT_WITHIN_MS / 1000 + " s",
                        outMs >= 0 && outMs <= OUT_WITHIN_MS,
                        outMs >= 0 ? "out after " + outMs + " ms" : "still in rotation"),
                Hypothesis.check(
                        "it returns within " + BACK_WITHIN_MS / 1000 + " s of the partition's end",
                        backMs >= 0 && backMs <= BACK_WITHIN_MS,
                        backMs >= 0 ? "back after " + backMs + " ms" : "not back"),
                Hypothesis.check(
                        "idempotent requests fail only on the cut-off replica before it left the rotation (and nginx's"
                                + " reload), as a 503 within the request budget",
                        unexplained.isEmpty(),
                        failedIdempotent.size() + " failed, " + unexplained.size() + " otherwise"
                                + firstFailure(unexplained)));
    }
}
