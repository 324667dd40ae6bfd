package io.stackctl.drill;

import io.stackctl.deploy.Deployer;
import io.stackctl.deploy.RollingDeploy;
import io.stackctl.engine.ServiceContainer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redeploys the active release under load, one replica at a time, start-first: every replica is replaced, new ones
 * join only when ready, old ones leave only when drained, and no client request fails.
 */
public final class DeployUnderLoadDrill implements Drill {

    static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    @Override
    public String name() {
        return "deploy-under-load";
    }

    @Override
    public Outcome inject(DrillContext context) {
        var before =
                context.stack().replicas().stream().map(ServiceContainer::id).toList();
        long faultAt = context.load().now();
        // The drill judges the failures itself, so the rollout's own error gate must not stop it first.
        var options = new RollingDeploy.Options(1, READY_TIMEOUT, 1.0, Integer.MAX_VALUE, true);
        var result =
                new Deployer(context.stack(), context.progress()).redeployActive(options, "deploy-under-load drill");
        long recoveredAt = context.load().now();
        var after = context.stack().replicas();
        long survivors = after.stream().filter(c -> before.contains(c.id())).count();
        context.say("redeployed r%d: replaced %s", result.release().id(), result.replaced());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("release", "r" + result.release().id());
        figures.put("replicas_replaced", result.replaced().size());
        figures.put("rollout_ms", recoveredAt - faultAt);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            long failed = Verdicts.count(samples, Sample::failed);
            return List.of(
                    Hypothesis.check("0 failed requests", failed == 0, failed + " of " + samples.size()),
                    Hypothesis.check(
                            "every replica replaced, the count kept",
                            survivors == 0 && after.size() == before.size(),
                            before.size() + " -> " + after.size() + " replicas, " + survivors + " old left"));
        });
    }

    @Override
    public void restore(DrillContext context) {
        // a failed rollout rolls itself back; nothing is left to undo
    }
}
