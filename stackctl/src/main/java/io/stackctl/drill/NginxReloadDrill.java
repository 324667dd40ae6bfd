package io.stackctl.drill;

import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reloads nginx several times under load: old workers must finish their requests, none may fail. */
public final class NginxReloadDrill implements Drill {

    static final int RELOADS = 5;

    @Override
    public String name() {
        return "nginx-reload";
    }

    @Override
    public Outcome inject(DrillContext context) {
        Stack stack = context.stack();
        var nginx = stack.requireService(Stack.NGINX);
        long faultAt = context.load().now();
        for (int i = 0; i < RELOADS; i++) {
            var result = stack.engine().exec(nginx.id(), Duration.ofSeconds(10), "nginx", "-s", "reload");
            if (result.exitCode() != 0) {
                context.say("reload %d failed: %s", i + 1, result.output().strip());
            }
            DrillContext.pause(Duration.ofMillis(700));
        }
        context.say("reloaded %s %d times", nginx.name(), RELOADS);
        DrillContext.pause(Duration.ofSeconds(1));
        long recoveredAt = context.load().now();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("reloads", RELOADS);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            long failed = Verdicts.count(samples, Sample::failed);
            return List.of(Hypothesis.check("0 failed requests", failed == 0, failed + " of " + samples.size()));
        });
    }

    @Override
    public void restore(DrillContext context) {
        // a reload leaves nothing to undo
    }
}
