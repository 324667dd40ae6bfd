package io.stackctl.drill;

import java.util.List;
import java.util.Map;

/** Everything one drill measured and concluded; {@code passed} only when every hypothesis held. */
public record DrillResult(
        String drill,
        boolean passed,
        List<Hypothesis> hypotheses,
        Map<String, PhaseStats> phases,
        Map<String, Object> figures,
        List<String> failures,
        Timeline timeline) {

    /** Failed requests listed in a result; the phase table counts them all. */
    public static final int FAILURES_SHOWN = 10;

    public static DrillResult of(
            String drill,
            List<Hypothesis> hypotheses,
            Map<String, PhaseStats> phases,
            Map<String, Object> figures,
            List<Sample> samples) {
        return of(drill, hypotheses, phases, figures, samples, 0, 0);
    }

    public static DrillResult of(
            String drill,
            List<Hypothesis> hypotheses,
            Map<String, PhaseStats> phases,
            Map<String, Object> figures,
            List<Sample> samples,
            long faultAtMs,
            long recoveredAtMs) {
        List<String> failures = samples.stream()
                .filter(Sample::failed)
                .limit(FAILURES_SHOWN)
                .map(Sample::describe)
                .toList();
        return new DrillResult(
                drill,
                hypotheses.stream().allMatch(Hypothesis::held),
                hypotheses,
                phases,
                figures,
                failures,
                Timeline.of(samples, faultAtMs, recoveredAtMs));
    }

    /** With one more figure (the replicas' own, from Prometheus, beside the load's); none when it is empty. */
    public DrillResult withFigure(String name, Map<String, Object> value) {
        if (value.isEmpty()) {
            return this;
        }
        Map<String, Object> more = new java.util.LinkedHashMap<>(figures);
        more.put(name, value);
        return new DrillResult(drill, passed, hypotheses, phases, more, failures, timeline);
    }

    public List<Hypothesis> broken() {
        return hypotheses.stream().filter(h -> !h.held()).toList();
    }
}
