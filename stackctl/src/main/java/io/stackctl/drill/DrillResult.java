package io.stackctl.drill;

import java.util.List;
import java.util.Map;

/** Everything one drill measured and concluded; {@code passed} only when every hypothesis held. */
public record DrillResult(
        String drill,
        boolean passed,
        List<Hypothesis> hypotheses,
        Map<String, PhaseStats> phases,
        Map<String, Object> figures) {

    public static DrillResult of(
            String drill, List<Hypothesis> hypotheses, Map<String, PhaseStats> phases, Map<String, Object> figures) {
        return new DrillResult(drill, hypotheses.stream().allMatch(Hypothesis::held), hypotheses, phases, figures);
    }
}
