package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * SIGKILL to a random replica's process, the way the kernel's OOM killer or a crash ends it: the restart
 * policy brings the container back, nginx's retries hide it meanwhile.
 */
public final class KillReplicaDrill implements Drill {

    static final long OUT_OF_ROTATION_MS = 2_000;
    /**
     * On Swarm the rotation is Docker's DNS, not the agent: the task leaves tasks.app once Swarm learns of its exit, and
     * nginx looks the name up again at most every second (valid=1s, the least it takes). Measured in CI: 0.8-2.1 s
     * under load (runs 20-26), where the compose stack's agent takes a dead replica out in 0-0.3 s.
     */
    static final long OUT_OF_ROTATION_ON_SWARM_MS = 3_000;

    static final long BACK_WITHIN_MS = 30_000;
    /** A request nginx held this long on the dead replica before another answered was held up by it. */
    static final long AFFECTED_LOST_MS = 250;
    /** Without nginx's timings (an older configuration), a request slower than this may have met the dead one. */
    static final long AFFECTED_SLOWER_THAN_MS = 1_000;

    private ServiceContainer victim;

    @Override
    public String name() {
        return "kill-replica";
    }

    @Override
    public Outcome inject(DrillContext context) {
        Stack stack = context.stack();
        List<ServiceContainer> replicas = stack.replicas();
        victim = replicas.get(ThreadLocalRandom.current().nextInt(replicas.size()));
        long askedAt = context.load().now();
        var killedAt = stack.engine().crash(victim.id(), Duration.ofSeconds(3));
        boolean crashed = killedAt.isPresent();
        // Measured from the kill, not from asking for it: on a busy host the engine takes up to a second to start the
        // exec, and requests in that second are not the dead replica's doing.
        long faultAt = crashed ? context.load().at(killedAt.getAsLong()) : askedAt;
        if (crashed) {
            context.say("crashed %s: SIGKILL to its java process, through the engine", victim.name());
        } else {
            // A replica without an init as PID 1 (an older compose file): docker kill, then start it as the
            // restart policy would have.
            stack.engine().kill(victim.id());
            stack.engine().start(victim.id());
            context.say("killed %s through the engine (docker kill) and started it again", victim.name());
        }
        boolean[] rerouted = {false};
        Optional<String> oldIp = victim.ipOn("frontend");
        boolean back = DrillContext.await(Duration.ofMillis(BACK_WITHIN_MS + 15_000), () -> {
            var now = context.target().successorOf(victim);
            if (!rerouted[0] && now.isPresent() && now.get().running() && movedFrom(now.get(), oldIp)) {
                // Restarted on a new address: the old one is dead, and nginx would retry it every fail_timeout at
                // the cost of a connect timeout. The victim is not ready yet, so this routes to the others.
                rerouted[0] = stack.reconcileUpstream();
            }
            if (now.isEmpty() || !stack.serving(now.get())) {
                return false;
            }
            rerouted[0] |= stack.reconcileUpstream();
            String answering = now.get().shortId();
            return context.load().samples().stream()
                    .anyMatch(
                            s -> s.startMs() > faultAt && s.ok() && s.instance().equals(answering));
        });
        long recoveredAt = context.load().now();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("victim", victim.name());
        figures.put("killed_by", crashed ? "SIGKILL to java through docker exec" : "docker kill + start");
        figures.put("kill_took_ms", faultAt - askedAt);
        figures.put("back_ms", back ? recoveredAt - faultAt : -1);
        figures.put("upstream_rerendered", rerouted[0]);
        String victimId = victim.shortId();
        long outOfRotationMs = stack.swarm() ? OUT_OF_ROTATION_ON_SWARM_MS : OUT_OF_ROTATION_MS;
        return new Outcome(faultAt, recoveredAt, figures, all -> {
            var split = all.stream().collect(Collectors.partitioningBy(s -> databaseDidNotAnswer(s, victimId)));
            var databases = split.get(true);
            var samples = split.get(false);
            long failedIdempotent = Verdicts.count(samples, s -> s.failed() && s.idempotent());
            long affected = Verdicts.affectedFor(samples, faultAt, AFFECTED_LOST_MS, AFFECTED_SLOWER_THAN_MS);
            figures.put("out_of_rotation_ms", affected);
            figures.put("database_503_from_live_replicas", databases.size());
            return List.of(
                    Hypothesis.check(
                            "0 failed idempotent requests",
                            failedIdempotent == 0,
                            failedIdempotent + " of " + Verdicts.count(samples, Sample::idempotent)
                                    + (databases.isEmpty()
                                            ? ""
                                            : "; not the kill's: " + databases.size() + " answered 503 by a live"
                                                    + " replica, its database slow ("
                                                    + databases.get(0).describe()
                                                    + ")")),
                    Hypothesis.check(
                            "the dead replica is out of rotation within " + outOfRotationMs / 1000
                                    + " s (after it, no request failed or waited > 0.25 s on it)",
                            affected <= outOfRotationMs,
                            "last affected request " + affected + " ms after the kill"),
                    Hypothesis.check(
                            "the replica is back (healthy, in the upstream, answering) within 30 s",
                            back && recoveredAt - faultAt <= BACK_WITHIN_MS,
                            back ? (recoveredAt - faultAt) + " ms" : "not back"));
        });
    }

    /**
     * A live replica's own 503 for a database that did not answer within the request budget: the kill leaves the
     * database's load as it was (the same requests, on fewer replicas), so this is the database or the host under it
     * (measured on a busy CI host: a read's query stalled 2.2 s on the survivor), which the db-* drills judge. What
     * the kill can cause, nginx's 502 and 504, no answer, and anything the dead replica said, still counts.
     */
    static boolean databaseDidNotAnswer(Sample sample, String victimId) {
        return sample.status() == 503
                && !sample.instance().isEmpty()
                && !sample.instance().equals(victimId)
                && sample.detail().contains("the database did not answer in time");
    }

    private static boolean movedFrom(ServiceContainer now, Optional<String> oldIp) {
        Optional<String> ip = now.ipOn("frontend");
        return ip.isPresent() && oldIp.isPresent() && !ip.get().equals(oldIp.get());
    }

    @Override
    public void restore(DrillContext context) {
        if (victim == null) {
            return;
        }
        var now = context.target().successorOf(victim);
        if (now.isPresent() && !now.get().running()) {
            context.stack().engine().start(victim.id());
        }
        DrillContext.await(
                Duration.ofSeconds(60),
                () -> context.target()
                        .successorOf(victim)
                        .map(ServiceContainer::healthy)
                        .orElse(true));
        context.stack().route(context.stack().replicas());
    }
}
