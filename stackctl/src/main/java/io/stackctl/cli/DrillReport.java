package io.stackctl.cli;

import io.stackctl.drill.DrillResult;
import io.stackctl.drill.PhaseStats;
import java.util.ArrayList;
import java.util.List;

/** A drill's result as people read it: the verdict, each hypothesis with what was measured, the phases. */
final class DrillReport {

    private DrillReport() {}

    static void print(Output out, DrillResult result) {
        out.line("drill %s: %s".formatted(result.drill(), result.passed() ? "PASSED" : "FAILED"));
        List<List<String>> rows = new ArrayList<>();
        result.hypotheses().forEach(h -> rows.add(List.of(h.held() ? "PASS" : "FAIL", h.claim(), h.measured())));
        out.table(List.of("", "HYPOTHESIS", "MEASURED"), rows);
        List<List<String>> phases = new ArrayList<>();
        result.phases().forEach((phase, s) -> phases.add(row(phase, s)));
        out.table(
                List.of("PHASE", "REQUESTS", "FAILED IDEMPOTENT", "FAILED OTHER", "P50 MS", "P99 MS", "MAX MS"),
                phases);
        out.line("figures: " + result.figures());
        if (!result.failures().isEmpty()) {
            out.line("failed requests (first %d, ms since the load started):"
                    .formatted(result.failures().size()));
            result.failures().forEach(f -> out.line("  " + f));
        }
        out.line("");
    }

    private static List<String> row(String phase, PhaseStats s) {
        return List.of(
                phase,
                String.valueOf(s.requests()),
                String.valueOf(s.failedIdempotent()),
                String.valueOf(s.failedNonIdempotent()),
                String.valueOf(s.p50Ms()),
                String.valueOf(s.p99Ms()),
                String.valueOf(s.maxMs()));
    }
}
