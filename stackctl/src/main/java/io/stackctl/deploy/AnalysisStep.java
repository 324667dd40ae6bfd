package io.stackctl.deploy;

import java.util.List;

/**
 * One batch's metric analysis as {@code releases} keeps it: the new replicas' figures over the window, the release
 * before's over the window before the deploy ({@code before_*}), and the verdict with its reason.
 *
 * @param worstRoute the route with the lowest success among those with enough requests to judge, or null
 */
public record AnalysisStep(
        List<String> replicas,
        long windowSeconds,
        long requests,
        Double successPercent,
        String worstRoute,
        Double worstRouteSuccessPercent,
        Double p99Ms,
        Double stackErrorPercent,
        Double beforeSuccessPercent,
        Double beforeP99Ms,
        Double beforeStackErrorPercent,
        Verdict verdict,
        String reason) {

    public enum Verdict {
        passed,
        failed,
        /** Too little traffic reached the new replicas to judge them: a rollout step passes only on evidence. */
        inconclusive
    }

    public boolean passed() {
        return verdict == Verdict.passed;
    }
}
