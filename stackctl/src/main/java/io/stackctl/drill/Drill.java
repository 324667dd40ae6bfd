package io.stackctl.drill;

import java.util.List;
import java.util.Map;

/** One fault: how to inject it and wait out the recovery, what must hold, and how to undo it. */
public interface Drill {

    String name();

    /** Injects the fault while the load runs and returns once the stack has recovered (or a bound passed). */
    Outcome inject(DrillContext context);

    /**
     * How many seconds of load at the drill's rate its fault may take, at most: what bounds the requests the load
     * generator sends.
     */
    default long faultLoadSeconds() {
        return 300;
    }

    /** Puts the stack back in its steady state; runs after every drill, also a failed or interrupted one. */
    void restore(DrillContext context);

    /**
     * @param faultAtMs when the fault was injected, on the load's clock
     * @param recoveredAtMs when the stack was fully healthy again
     * @param judge the drill's own hypotheses, given every sample of the run
     */
    record Outcome(long faultAtMs, long recoveredAtMs, Map<String, Object> figures, Judge judge) {}

    /**
     * What must hold of the acknowledged writes missing afterwards: none, unless the drill knows which may be (an
     * asynchronous standby's failover loses what it had not received).
     */
    default Hypothesis acknowledgedLoss(List<Long> missing, int acknowledged, List<Sample> samples) {
        return Hypothesis.check(
                "0 acknowledged writes lost",
                missing.isEmpty(),
                missing.size() + " of " + acknowledged + " missing from the database"
                        + (missing.isEmpty()
                                ? ""
                                : " (ids " + missing.stream().limit(10).toList() + ")"));
    }

    interface Judge {
        List<Hypothesis> judge(List<Sample> samples);
    }
}
