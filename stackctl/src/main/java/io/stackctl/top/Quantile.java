package io.stackctl.top;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * A quantile from a classic histogram's cumulative buckets, computed as Prometheus' {@code histogram_quantile} does
 * (linear interpolation inside the bucket the rank falls in; the highest finite bound when it falls in +Inf), so
 * {@code top} shows the same p99 from the replicas' /metrics as from Prometheus.
 */
public final class Quantile {

    private Quantile() {}

    /** The {@code q} quantile in the buckets' unit; empty when no observation was made. */
    public static Optional<Double> of(double q, NavigableMap<Double, Double> cumulative) {
        if (cumulative.isEmpty()) {
            return Optional.empty();
        }
        double total = cumulative.lastEntry().getValue();
        if (!cumulative.lastKey().isInfinite() || total <= 0) {
            return Optional.empty();
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            double upper = bucket.getKey();
            double count = bucket.getValue();
            if (count >= rank) {
                if (Double.isInfinite(upper)) {
                    return Optional.of(lowerBound);
                }
                if (count == lowerCount) {
                    return Optional.of(upper);
                }
                return Optional.of(lowerBound + (upper - lowerBound) * (rank - lowerCount) / (count - lowerCount));
            }
            lowerBound = upper;
            lowerCount = count;
        }
        return Optional.of(lowerBound);
    }
}
