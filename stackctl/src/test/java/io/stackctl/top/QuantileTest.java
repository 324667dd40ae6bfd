package io.stackctl.top;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The expected values are what Prometheus 2.42's histogram_quantile answers for the same buckets. */
class QuantileTest {

    private static TreeMap<Double, Double> buckets(double... boundAndCount) {
        var map = new TreeMap<Double, Double>();
        for (int i = 0; i < boundAndCount.length; i += 2) {
            map.put(boundAndCount[i], boundAndCount[i + 1]);
        }
        return map;
    }

    @Test
    void interpolatesLinearlyInsideTheBucketTheRankFallsIn() {
        var b = buckets(0.001, 0, 0.005, 50, 0.01, 90, 0.025, 100, Double.POSITIVE_INFINITY, 100);

        // rank 50 is the top of the (0.001, 0.005] bucket
        assertThat(Quantile.of(0.50, b)).hasValueSatisfying(v -> assertThat(v).isCloseTo(0.005, within(1e-12)));
        // rank 99: 9 of the 10 observations in (0.01, 0.025]
        assertThat(Quantile.of(0.99, b)).hasValueSatisfying(v -> assertThat(v).isCloseTo(0.0235, within(1e-12)));
        // rank 25: half way through (0.001, 0.005]
        assertThat(Quantile.of(0.25, b)).hasValueSatisfying(v -> assertThat(v).isCloseTo(0.003, within(1e-12)));
    }

    @Test
    void theFirstBucketStartsAtZeroAndTheInfiniteOneAnswersTheHighestFiniteBound() {
        assertThat(Quantile.of(0.5, buckets(0.1, 10, Double.POSITIVE_INFINITY, 10)))
                .hasValueSatisfying(v -> assertThat(v).isCloseTo(0.05, within(1e-12)));
        assertThat(Quantile.of(0.99, buckets(0.1, 10, Double.POSITIVE_INFINITY, 20)))
                .hasValue(0.1);
    }

    @Test
    void noObservationNoQuantile() {
        assertThat(Quantile.of(0.99, buckets())).isEmpty();
        assertThat(Quantile.of(0.99, buckets(0.1, 0, Double.POSITIVE_INFINITY, 0)))
                .isEmpty();
        assertThat(Quantile.of(0.99, buckets(0.1, 5)))
                .as("no +Inf bucket: not a histogram")
                .isEmpty();
    }
}
