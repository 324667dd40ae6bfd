package io.stackctl.top;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CountersTest {

    private static Counters scrape(
            double ok, double failed, double fastBucket, double probes, double hits, double misses) {
        return Counters.of(MetricsText.parse(
                """
                http_requests_total{route="/tasks/{id}",method="GET",status="200"} %s
                http_requests_total{route="/tasks",method="POST",status="503"} %s
                http_requests_total{route="/ready",method="GET",status="200"} %s
                http_requests_total{route="/ops/keys",method="GET",status="500"} %s
                http_request_duration_seconds_bucket{route="/tasks/{id}",method="GET",le="0.005"} %s
                http_request_duration_seconds_bucket{route="/tasks/{id}",method="GET",le="+Inf"} %s
                http_request_duration_seconds_bucket{route="/tasks",method="POST",le="0.005"} 0
                http_request_duration_seconds_bucket{route="/tasks",method="POST",le="+Inf"} %s
                http_request_duration_seconds_bucket{route="/ready",method="GET",le="0.005"} 0
                http_request_duration_seconds_bucket{route="/ready",method="GET",le="+Inf"} %s
                cache_hits_total %s
                cache_misses_total %s
                db_pool_connections{state="active"} 2
                db_pool_connections{state="idle"} 3
                db_pool_connections{state="waiting"} 0
                db_pool_connections{state="max"} 5
                cache_circuit_open 0
                """.formatted(ok, failed, probes, probes, fastBucket, ok, failed, probes, hits, misses)));
    }

    @Test
    void countsTheApiNotTheProbesAndScrapes() {
        var c = scrape(100, 4, 100, 1000, 0, 0);

        assertThat(c.requests()).isEqualTo(104);
        assertThat(c.errors())
                .as("the 500s of /ops/keys are the machinery's, not the API's")
                .isEqualTo(4);
        assertThat(c.buckets()).containsEntry(0.005, 100.0).containsEntry(Double.POSITIVE_INFINITY, 104.0);
        assertThat(c.pool()).isEqualTo(new Counters.Pool(2, 3, 0, 5));
    }

    @Test
    void figuresAreTheIncreaseOverTheWindow() {
        var before = scrape(100, 0, 100, 50, 90, 10);
        var after = scrape(300, 2, 298, 80, 270, 30);

        Figures f = after.since(before).over(2.0);

        assertThat(f.requestsPerSecond()).isEqualTo(101.0);
        assertThat(f.errorRatio()).isCloseTo(2.0 / 202, within(1e-12));
        // 202 requests, 198 of them within 5 ms: rank 101 is 101/198 of the way up the first bucket
        assertThat(f.p50Millis()).isCloseTo(5.0 * 101 / 198, within(1e-9));
        assertThat(f.p99Millis())
                .as("rank 199.98 is past the 5 ms bucket: the highest finite bound")
                .isCloseTo(5.0, within(1e-9));
        assertThat(f.cacheHitRatio()).isCloseTo(0.9, within(1e-12));
        assertThat(f.poolActive()).isEqualTo(2.0);
        assertThat(f.poolMax()).isEqualTo(5.0);
    }

    @Test
    void aRestartedReplicaCountsFromZeroAsRateDoes() {
        var beforeCrash = scrape(5000, 0, 5000, 0, 10, 10);
        var afterRestart = scrape(30, 0, 30, 0, 3, 1);

        Figures f = afterRestart.since(beforeCrash).over(1.0);

        assertThat(f.requestsPerSecond()).isEqualTo(30.0);
        assertThat(f.cacheHitRatio()).isEqualTo(0.75);
    }

    @Test
    void noRequestNoRatioNorLatencyAndAFirstScrapeHasNoRate() {
        var idle = scrape(100, 0, 100, 0, 0, 0);

        Figures quiet = idle.since(idle).over(2.0);
        assertThat(quiet.requestsPerSecond()).isZero();
        assertThat(quiet.errorRatio()).isNull();
        assertThat(quiet.p99Millis()).isNull();
        assertThat(quiet.cacheHitRatio()).isNull();
        assertThat(idle.since(idle).over(0).requestsPerSecond()).isNull();
    }

    @Test
    void theStackIsTheSumOfItsReplicas() {
        var a = scrape(100, 1, 100, 0, 9, 1).since(Counters.ZERO);
        var b = scrape(300, 3, 0, 0, 1, 9).since(Counters.ZERO);

        Figures f = Counters.sum(List.of(a, b)).over(1.0);

        assertThat(f.requestsPerSecond()).isEqualTo(404.0);
        assertThat(f.errorRatio()).isCloseTo(4.0 / 404, within(1e-12));
        assertThat(f.cacheHitRatio()).isEqualTo(0.5);
        assertThat(f.poolActive()).isEqualTo(4.0);
        assertThat(f.poolMax()).isEqualTo(10.0);
    }
}
