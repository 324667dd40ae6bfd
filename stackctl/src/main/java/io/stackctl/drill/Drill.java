package io.stackctl.drill;

import java.util.List;
import java.util.Map;

/** One fault: how to inject it and wait out the recovery, what must hold, and how to undo it. */
public interface Drill {

    String name();

    /** Injects the fault while the load runs and returns once the stack has recovered (or a bound passed). */
    Outcome inject(DrillContext context);

    /** Puts the stack back in its steady state; runs after every drill, also a failed or interrupted one. */
    void restore(DrillContext context);

    /**
     * @param faultAtMs when the fault was injected, on the load's clock
     * @param recoveredAtMs when the stack was fully healthy again
     * @param judge the drill's own hypotheses, given every sample of the run
     */
    record Outcome(long faultAtMs, long recoveredAtMs, Map<String, Object> figures, Judge judge) {}

    interface Judge {
        List<Hypothesis> judge(List<Sample> samples);
    }
}
