package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.deploy.ReplicaFigures.Count;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict on a batch's figures: Flagger's limits, eased only where the release before was already worse. */
class AnalysisJudgementTest {

    private static final AnalysisSettings DEFAULTS = new AnalysisSettings(true, Duration.ofSeconds(30), 99, 500, 20);
    private static final List<String> NEW = List.of("shop_app_3");

    private static ReplicaFigures figures(Map<String, Count> routes, Double p99Ms, Count stack) {
        return new ReplicaFigures(routes, p99Ms, stack);
    }

    private static final ReplicaFigures HEALTHY_BEFORE = figures(
            Map.of("GET /tasks", new Count(300, 0), "GET /tasks/{id}", new Count(400, 0)), 40.0, new Count(700, 0));

    @Test
    void fivePercentErrorsOnOneRouteFailItThoughTheWholeStaysAbove99() {
        var now = figures(
                Map.of("GET /tasks", new Count(3000, 0), "GET /tasks/{id}", new Count(400, 20)),
                45.0,
                new Count(3400, 20));

        var step = MetricAnalysis.judge(HEALTHY_BEFORE, now, DEFAULTS, NEW);

        assertThat(now.all().successPercent())
                .as("the whole, which a single ratio would pass")
                .isGreaterThan(99);
        assertThat(step.verdict()).isEqualTo(AnalysisStep.Verdict.failed);
        assertThat(step.reason())
                .contains("GET /tasks/{id} answered 95.0% without a 5xx (400 requests; the release before: 100.0%),"
                        + " below 99.0%");
        assertThat(step.worstRoute()).isEqualTo("GET /tasks/{id}");
        assertThat(step.worstRouteSuccessPercent()).isEqualTo(95.0);
    }

    @Test
    void aHealthyBatchPassesWithItsFigures() {
        var now = figures(
                Map.of("GET /tasks", new Count(250, 0), "POST /tasks", new Count(30, 0)), 60.0, new Count(600, 1));

        var step = MetricAnalysis.judge(HEALTHY_BEFORE, now, DEFAULTS, NEW);

        assertThat(step.passed()).as(step.reason()).isTrue();
        assertThat(step.requests()).isEqualTo(280);
        assertThat(step.beforeP99Ms()).isEqualTo(40.0);
        assertThat(step.reason()).contains("280 API requests, 100.0% without a 5xx, p99 60 ms");
    }

    @Test
    void noTrafficIsInconclusiveAndFailsTheStep() {
        var now = figures(Map.of("GET /tasks", new Count(12, 0)), 10.0, new Count(12, 0));

        var step = MetricAnalysis.judge(HEALTHY_BEFORE, now, DEFAULTS, NEW);

        assertThat(step.verdict()).isEqualTo(AnalysisStep.Verdict.inconclusive);
        assertThat(step.passed()).isFalse();
        assertThat(step.reason()).contains("answered 12 API requests in 30 s, fewer than the 20 DEPLOY_MIN_REQUESTS");
    }

    @Test
    void aReleaseNoWorseThanAFailingOneBeforeItPassesAndAWorseOneFails() {
        var failingBefore =
                figures(Map.of("GET /tasks/{id}", new Count(400, 16)), 40.0, new Count(400, 16)); // 96% already
        var same = figures(Map.of("GET /tasks/{id}", new Count(400, 17)), 40.0, new Count(400, 17));
        var worse = figures(Map.of("GET /tasks/{id}", new Count(400, 40)), 40.0, new Count(400, 40));

        assertThat(MetricAnalysis.judge(failingBefore, same, DEFAULTS, NEW).passed())
                .as("95.75% after 96%: within half a point of the release before, which may be what fixes it")
                .isTrue();
        assertThat(MetricAnalysis.judge(failingBefore, worse, DEFAULTS, NEW).reason())
                .contains("answered 90.0% without a 5xx (400 requests; the release before: 96.0%), below 95.5%");
    }

    @Test
    void p99IsJudgedAgainstTheLimitOrTwiceTheReleaseBefore() {
        var slowBefore = figures(Map.of("GET /tasks", new Count(400, 0)), 400.0, new Count(400, 0));
        var now = figures(Map.of("GET /tasks", new Count(400, 0)), 700.0, new Count(400, 0));

        assertThat(MetricAnalysis.judge(slowBefore, now, DEFAULTS, NEW).passed())
                .as("700 ms after 400 ms: within twice the release before")
                .isTrue();
        assertThat(MetricAnalysis.judge(HEALTHY_BEFORE, now, DEFAULTS, NEW).reason())
                .contains("p99 700 ms, over 500 ms (the release before: 40 ms)");
    }

    @Test
    void routesWithTooFewRequestsAreNotJudgedAlone() {
        var now = figures(
                Map.of("GET /tasks", new Count(500, 0), "DELETE /tasks/{id}", new Count(5, 1)),
                30.0,
                new Count(505, 1));

        assertThat(MetricAnalysis.judge(HEALTHY_BEFORE, now, DEFAULTS, NEW).passed())
                .as("1 of 5 deletes is not a 20% error rate to roll back for")
                .isTrue();
    }

    @Test
    void instanceNamesAreMatchedExactlyInPromQl() {
        assertThat(MetricAnalysis.instances(List.of("shop_app_3", "shop.app-4")))
                .isEqualTo("shop_app_3|shop\\\\.app-4");
    }
}
