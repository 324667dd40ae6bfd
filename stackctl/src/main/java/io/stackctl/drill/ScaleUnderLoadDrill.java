package io.stackctl.drill;

import io.stackctl.stack.Scaler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scales N -> N+3 -> N under load: new replicas join only when ready, old ones leave only when drained. */
public final class ScaleUnderLoadDrill implements Drill {

    static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    private int steady;

    @Override
    public String name() {
        return "scale-under-load";
    }

    @Override
    public Outcome inject(DrillContext context) {
        steady = context.stack().replicas().size();
        var scaler = new Scaler(context.stack(), context.progress());
        long faultAt = context.load().now();
        int peak = Math.min(steady + 3, io.stackctl.stack.Stack.MAX_REPLICAS);
        scaler.scaleTo(peak, READY_TIMEOUT);
        long upAt = context.load().now();
        scaler.scaleTo(steady, READY_TIMEOUT);
        long recoveredAt = context.load().now();
        context.say("scaled %d -> %d -> %d", steady, peak, steady);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("scale_up_ms", upAt - faultAt);
        figures.put("scale_down_ms", recoveredAt - upAt);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            long failed = Verdicts.count(samples, Sample::failed);
            return List.of(Hypothesis.check("0 failed requests", failed == 0, failed + " of " + samples.size()));
        });
    }

    @Override
    public void restore(DrillContext context) {
        if (steady > 0 && context.stack().replicas().size() != steady) {
            new Scaler(context.stack(), context.progress()).scaleTo(steady, READY_TIMEOUT);
        }
    }
}
