package io.stackctl.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrapeGateTest {

    private static PrometheusApi.Series up(String job, String instance, double value) {
        return new PrometheusApi.Series(Map.of("job", job, "instance", instance), value);
    }

    private static List<PrometheusApi.Series> everyJobUp() {
        var up = new ArrayList<PrometheusApi.Series>();
        ScrapeGate.JOBS.keySet().forEach(job -> up.add(up(job, job + ":1", 1)));
        up.add(up("app", "taskmanager_app_2:8080", 1));
        return up;
    }

    /** promtool runs that file in CI: a target gone while Prometheus was stopped is not waited for. */
    @Test
    void itsQueryIsTheOneTheRuleTestsProveLeavesOutTargetsNoLongerScraped() throws Exception {
        String test = Files.readString(Path.of("..", "compose", "monitoring", "tests", "scrape-gate.test.yml"));
        assertThat(test).contains("- expr: " + ScrapeGate.FRESH_UP + "\n");
    }

    @Test
    void readyOnceEveryJobIsScrapedWithEachTargetUp() {
        assertThat(ScrapeGate.missing(everyJobUp())).isEmpty();
    }

    @Test
    void namesEachTargetDownAndEachJobNotScrapedYet() {
        var up = new ArrayList<>(everyJobUp());
        up.removeIf(series -> series.label("job").equals("edge"));
        up.add(up("app", "taskmanager_app_3:8080", 0));

        assertThat(ScrapeGate.missing(up)).containsExactly("app taskmanager_app_3:8080 down", "edge not scraped yet");
        assertThat(ScrapeGate.missing(List.of())).hasSize(ScrapeGate.JOBS.size());
    }
}
